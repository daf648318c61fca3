// The unit project as `npm run mutation` runs it: only the test files that cover the module under
// mutation (MUTATION_TESTS, set by stryker.config.mjs from scripts/mutation/modules.mjs).
import { defineConfig } from 'vitest/config';

const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);
if (tests.length === 0) throw new Error('MUTATION_TESTS is empty: vitest.mutation.config.mjs is for `npm run mutation` only');

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: tests,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
