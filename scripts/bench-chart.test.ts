import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { benchChart } from './bench-chart.mjs';

const chart = benchChart as (byName: Map<string, number>, date: string) => string;

/** The bar heights of the chart, in drawing order (Shopfloor, RxDB, PouchDB per panel). */
const barHeights = (svg: string) =>
  [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="60" height="([\d.]+)" fill=/g)].map((m) => Number(m[1]));

describe('bench chart', () => {
  const results = new Map([
    ['provision_200k_s', 2],
    ['peer_rxdb_provision_200k_s', 4],
    ['peer_pouchdb_provision_200k_s', 30],
    ['push_10k_s', 1.5],
    ['push_10k_projected_s', 1.8],
    ['peer_rxdb_push_10k_s', 0.5],
    ['incremental_1k_ms', 80],
    ['peer_rxdb_incremental_1k_ms', 100],
    ['peer_pouchdb_incremental_1k_ms', 400],
  ]);

  it('draws each system as a bar in proportion to its value, with the values, the goals and the projected push', () => {
    const svg = chart(results, '2026-12-05');
    const [a, b, c, d, e, f, g, h] = barHeights(svg);
    // Provision 2 : 4 : 30, push 1.5 : 0.5 (PouchDB's push missing), incremental 80 : 100 : 400.
    expect([b! / a!, c! / a!, d! / e!, g! / f!, h! / f!].map((r) => Math.round(r * 100) / 100)).toEqual([2, 15, 3, 1.25, 5]);
    for (const label of ['2.00 s', '30.0 s', '1.50 s', '1.80 s projected at HQ', '80 ms', '400 ms', 'goal', '3.00 s', '0.50 s', '100 ms'])
      expect(svg).toContain(label);
    expect(svg).toContain('not run');
    expect(svg).toContain('npm run bench, 2026-12-05');
  });

  it('escapes what it writes into the SVG', () => {
    expect(chart(results, '<today> & more')).toContain('npm run bench, &lt;today&gt; &amp; more');
  });
});
