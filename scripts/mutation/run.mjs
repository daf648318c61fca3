// `npm run mutation [-- <module>… | --all] [--no-typecheck] [--force]`: runs Stryker once per module
// (scripts/mutation/modules.mjs) at the lowest CPU priority, then writes the per-module scores
// (scripts/mutation/scores.mjs). Without names it runs every module not marked `late`; --all adds
// the late ones, last. Not part of `npm test` or CI: a module takes minutes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { MODULES, moduleNamed } from './modules.mjs';
import { writeScores } from './scores.mjs';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
for (const f of flags) {
  if (!['--all', '--no-typecheck', '--scores-only', '--force'].includes(f)) {
    throw new Error(`unknown option ${f} (known: --all, --no-typecheck, --force, --scores-only)`);
  }
}
const names = args.filter((a) => !a.startsWith('--'));
const chosen = names.length > 0 ? names.map(moduleNamed) : MODULES.filter((m) => flags.has('--all') || !m.late);
// The late modules run after the others whatever order they were named in.
chosen.sort((a, b) => Number(a.late ?? false) - Number(b.late ?? false));

/** CPU seconds this process's waited-for children (Stryker and its workers) have used so far. */
function childCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "comm)": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

mkdirSync('reports/mutation', { recursive: true });
let failed = 0;
if (!flags.has('--scores-only')) {
  for (const mod of chosen) {
    console.log(`\n== mutation: ${mod.name} (${mod.mutate.join(', ')})`);
    const cpu0 = childCpuSeconds();
    const t0 = Date.now();
    // --force: every mutant again (by default Stryker reuses the results of unchanged code and tests).
    const run = spawnSync('nice', ['-n', '19', 'npx', 'stryker', 'run', ...(flags.has('--force') ? ['--force'] : [])], {
      stdio: 'inherit',
      env: { ...process.env, MUTATION_MODULE: mod.name, MUTATION_TYPECHECK: flags.has('--no-typecheck') ? '0' : '1' },
    });
    const timing = {
      wallS: Math.round((Date.now() - t0) / 1000),
      cpuS: Math.round(childCpuSeconds() - cpu0),
      typecheck: !flags.has('--no-typecheck'),
      at: new Date().toISOString(),
    };
    writeFileSync(`reports/mutation/${mod.name}.time.json`, JSON.stringify(timing) + '\n');
    if (run.status !== 0) {
      failed++;
      console.error(`mutation: Stryker failed on ${mod.name} (exit ${run.status ?? run.signal})`);
    }
  }
}
const table = writeScores('reports/mutation', 'docs/mutation-scores.md');
console.log(`\n${table}`);
process.exitCode = failed > 0 ? 1 : 0;
