// Stryker for `npm run mutation` (scripts/mutation/run.mjs): one module per run, chosen by
// MUTATION_MODULE (scripts/mutation/modules.mjs). Not part of `npm test`: it is slow.
// Gentle on a shared 2-core machine: one test runner, per-test coverage so a mutant runs only
// the tests that reach it, and only the module's own test files (vitest.mutation.config.mjs).
import { moduleNamed } from './scripts/mutation/modules.mjs';

const name = process.env.MUTATION_MODULE;
if (!name) throw new Error('MUTATION_MODULE is not set: run `npm run mutation` (or `npm run mutation -- <module>`)');
const mod = moduleNamed(name);
// The vitest runner reads it from the environment its workers inherit.
process.env.MUTATION_TESTS = mod.tests.join(',');
const withChecker = process.env.MUTATION_TYPECHECK !== '0';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: mod.mutate,
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mjs', related: false },
  checkers: withChecker ? ['typescript'] : [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { reportScoreTable: true, logTests: false, allowColor: false },
  incremental: true,
  incrementalFile: `reports/mutation/incremental/${name}.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // What the sandbox need not copy: docs, screenshots, the renderer and e2e are not under test.
  ignorePatterns: ['docs', 'e2e', 'renderer', 'dist', 'release', '.shopfloor', 'test-results', 'reports', 'bench/out'],
  thresholds: { high: 85, low: 70, break: null },
};
