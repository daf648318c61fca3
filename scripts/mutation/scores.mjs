// Per-module mutation scores from Stryker's JSON reports (reports/mutation/<module>.json, the
// mutation-testing-report-schema), written as a Markdown table docs/mutation.md quotes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODULES } from './modules.mjs';

/** Counts per status for one report; score = killed (incl. timeouts) over all valid mutants. */
export function countReport(report) {
  const n = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, ignored: 0, other: 0 };
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed') n.killed++;
      else if (m.status === 'Timeout') n.timeout++;
      else if (m.status === 'Survived') n.survived++;
      else if (m.status === 'NoCoverage') n.noCoverage++;
      else if (m.status === 'CompileError') n.compileError++;
      else if (m.status === 'Ignored') n.ignored++;
      else n.other++;
    }
  }
  const detected = n.killed + n.timeout;
  const valid = detected + n.survived + n.noCoverage + n.other;
  return { ...n, valid, score: valid === 0 ? null : (100 * detected) / valid };
}

/** Writes the table of every module that has a report to `out` and returns it. */
export function writeScores(dir, out) {
  const rows = [];
  for (const mod of MODULES) {
    const path = join(dir, `${mod.name}.json`);
    if (!existsSync(path)) {
      rows.push(`| ${mod.name} | ${mod.mutate.join('<br>')} | not run | | | | | |`);
      continue;
    }
    const c = countReport(JSON.parse(readFileSync(path, 'utf8')));
    const timePath = join(dir, `${mod.name}.time.json`);
    const t = existsSync(timePath) ? JSON.parse(readFileSync(timePath, 'utf8')) : null;
    const score = c.score === null ? 'n/a' : `${c.score.toFixed(1)} %`;
    const time = t ? `${t.cpuS} s CPU / ${t.wallS} s wall${t.typecheck ? '' : ' (no type check)'}, ${t.at.slice(0, 10)}` : '';
    rows.push(
      `| ${mod.name} | ${mod.mutate.join('<br>')} | **${score}** | ${c.valid} | ${c.killed + c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.compileError} | ${time} |`,
    );
  }
  const table = [
    '<!-- Written by `npm run mutation` (scripts/mutation/scores.mjs) from reports/mutation/*.json; do not edit by hand. -->',
    '',
    '| module | files | score (killed / valid) | valid mutants | killed (incl. timeout) | survived | no coverage | type errors (not counted) | last run |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(out, table);
  return table;
}
