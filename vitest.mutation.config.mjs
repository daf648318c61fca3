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
          // HQ tests on PGlite only (sync/hq/testing/backends.ts): PostgreSQL runs the same SQL, and
          // each mutant reruns its tests. Set SF_HQ_TEST_BACKENDS=pglite,postgres to run both.
          env: { SF_HQ_TEST_BACKENDS: process.env.SF_HQ_TEST_BACKENDS ?? 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
