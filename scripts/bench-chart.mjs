// Draws docs/bench.svg from bench/results.json: Shopfloor beside RxDB and PouchDB on the three
// sync workloads the bench runs for all three (provision, push, incremental pull), one panel per
// workload with its goal. `npm run bench` runs it after writing the results; run it alone with
// `node scripts/bench-chart.mjs [results.json] [out.svg]`. No dependencies: the SVG is written by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [input = join(ROOT, 'bench/results.json'), output = join(ROOT, 'docs/bench.svg')] = process.argv.slice(2);

/** One panel: the result names of each system, the unit shown and the goal. */
const PANELS = [
  {
    title: 'Provision 200,000 catalog rows',
    unit: 's',
    goal: 3,
    names: ['provision_200k_s', 'peer_rxdb_provision_200k_s', 'peer_pouchdb_provision_200k_s'],
  },
  {
    title: 'Push 10,000 offline orders',
    unit: 's',
    goal: 0.5,
    names: ['push_10k_s', 'peer_rxdb_push_10k_s', 'peer_pouchdb_push_10k_s'],
    extra: { name: 'push_10k_projected_s', label: 'projected at HQ' },
  },
  {
    title: 'Incremental pull of 1,000 changes',
    unit: 'ms',
    goal: 100,
    names: ['incremental_1k_ms', 'peer_rxdb_incremental_1k_ms', 'peer_pouchdb_incremental_1k_ms'],
  },
];
const SYSTEMS = [
  { label: 'Shopfloor', colour: '#1f6feb' },
  { label: 'RxDB 17 (memory)', colour: '#8b949e' },
  { label: 'PouchDB 9', colour: '#c9a227' },
];

/** @param {unknown} parsed */
function resultsOf(parsed) {
  if (!Array.isArray(parsed)) throw new Error(`${input}: expected a list of results`);
  const byName = new Map();
  for (const r of parsed) {
    if (r && typeof r.name === 'string' && typeof r.value === 'number' && Number.isFinite(r.value)) byName.set(r.name, r.value);
  }
  return byName;
}

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v, unit) => `${unit === 'ms' || v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;

export function benchChart(byName, date) {
  const W = 330;
  const H = 250;
  const top = 60;
  const plotH = 140;
  const plotW = 250;
  const parts = [];
  PANELS.forEach((panel, p) => {
    const x0 = 20 + p * W;
    const values = panel.names.map((n) => byName.get(n));
    const extra = panel.extra ? byName.get(panel.extra.name) : undefined;
    const max = Math.max(panel.goal, ...values.filter((v) => v !== undefined), extra ?? 0) * 1.2;
    const y = (v) => top + plotH - (v / max) * plotH;
    parts.push(`<text x="${x0}" y="${top - 30}" class="t">${escape(panel.title)}</text>`);
    parts.push(`<line x1="${x0}" y1="${top + plotH}" x2="${x0 + plotW}" y2="${top + plotH}" class="axis"/>`);
    values.forEach((v, i) => {
      const bx = x0 + 10 + i * 82;
      const mid = bx + 30;
      if (v === undefined) {
        parts.push(`<text x="${mid}" y="${top + plotH - 6}" class="v" text-anchor="middle">not run</text>`);
        return;
      }
      parts.push(`<rect x="${bx}" y="${y(v)}" width="60" height="${top + plotH - y(v)}" fill="${SYSTEMS[i].colour}"/>`);
      let labelY = y(v) - 5;
      if (i === 0 && extra !== undefined && panel.extra && extra > v) {
        // Shopfloor's push goes on until HQ has projected it: the rest drawn as an outline above the bar.
        parts.push(`<rect x="${bx}" y="${y(extra)}" width="60" height="${y(v) - y(extra)}" class="extra" stroke="${SYSTEMS[i].colour}"/>`);
        parts.push(
          `<text x="${mid}" y="${y(extra) - 19}" class="e" text-anchor="middle">${escape(`${fmt(extra, panel.unit)} ${panel.extra.label}`)}</text>`,
        );
        labelY = y(extra) - 5;
      }
      parts.push(`<text x="${mid}" y="${labelY}" class="v" text-anchor="middle">${escape(fmt(v, panel.unit))}</text>`);
    });
    // The goal last, over the bars, its label right of the plot.
    const gy = y(panel.goal);
    parts.push(`<line x1="${x0}" y1="${gy}" x2="${x0 + plotW}" y2="${gy}" class="goal"/>`);
    parts.push(`<text x="${x0 + plotW + 4}" y="${gy + 4}" class="g">goal</text>`);
    parts.push(`<text x="${x0 + plotW + 4}" y="${gy + 16}" class="g">${escape(fmt(panel.goal, panel.unit))}</text>`);
  });
  const legend = SYSTEMS.map(
    (s, i) =>
      `<rect x="${20 + i * 170}" y="${H + 4}" width="12" height="12" fill="${s.colour}"/><text x="${36 + i * 170}" y="${H + 14}" class="l">${escape(s.label)}</text>`,
  ).join('');
  const width = 20 + PANELS.length * W;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 40}" viewBox="0 0 ${width} ${H + 40}" font-family="sans-serif">
<style>.t{font-size:14px;font-weight:bold}.v{font-size:12px}.g{font-size:11px;fill:#cf222e}.e{font-size:11px}.l{font-size:12px}.axis{stroke:#444}.goal{stroke:#cf222e;stroke-dasharray:5 3}.extra{fill:none;stroke-dasharray:3 2}</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
${legend}
<text x="${width - 20}" y="${H + 14}" class="l" text-anchor="end">npm run bench, ${escape(date)}; lower is better</text>
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const byName = resultsOf(JSON.parse(readFileSync(input, 'utf8')));
  const missing = PANELS.flatMap((p) => p.names).filter((n) => !byName.has(n));
  if (missing.length === PANELS.length * SYSTEMS.length) throw new Error(`${input} has none of the sync results (${missing.join(', ')})`);
  writeFileSync(output, benchChart(byName, new Date().toISOString().slice(0, 10)));
  console.log(`wrote ${output}${missing.length > 0 ? ` (not in the results: ${missing.join(', ')})` : ''}`);
}
