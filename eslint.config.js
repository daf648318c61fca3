// Flat config. Besides the usual TypeScript rules it enforces the layers (README "Layers"):
// the renderer is browser code, only main/electron may import electron, sync/protocol depends on
// neither side, the replicator and HQ never import the terminal. Type-only imports of the API
// contract stay allowed in the renderer.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const TEST_CODE = ['**/*.test.ts', '**/testing/**', 'sync/faults/**', 'bench/**'];

const BAN = {
  electron: {
    paths: [{ name: 'electron', message: 'Only main/electron/ may import electron.' }],
    patterns: [{ group: ['**/electron/*'], message: 'Only main/electron/ may import the Electron adapter.' }],
  },
  main: {
    group: ['**/main/**'],
    message: 'sync/client, sync/hq and sync/protocol never import main/ (the terminal plugs into them, not the other way).',
  },
  client: { group: ['**/sync/client/**', '**/client/**'], message: 'Only main/sync/ imports the device replicator (sync/client).' },
  hq: { group: ['**/sync/hq/**', '**/hq/**'], message: 'The device never imports HQ (sync/hq).' },
  native: { group: ['**/native/**'], message: 'sync/protocol depends on nothing but itself.' },
  testKits: { group: ['**/testing/**'], message: 'Test kits are for tests: production code never imports them.' },
  app: { group: ['**/app/**'], message: 'main/app is the composition root: only the shells (main/electron, main/host) import it.' },
};

/** One entry per row of the layer table: the files, and the imports they may not make. */
function layerRules() {
  const row = (files, bans, ignores = []) => ({
    files,
    ignores: [...ignores, ...TEST_CODE],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: BAN.electron.paths, patterns: [...BAN.electron.patterns, ...bans] }],
    },
  });
  return [
    row(['native/**/*.ts', 'fixtures/**/*.ts'], [BAN.client, BAN.hq, BAN.testKits]),
    row(['sync/protocol/**/*.ts'], [BAN.main, BAN.client, BAN.hq, BAN.native, BAN.testKits]),
    row(['sync/client/**/*.ts'], [BAN.main, BAN.hq, BAN.testKits]),
    row(['sync/hq/**/*.ts', 'sync/testing/**/*.ts'], [BAN.main, BAN.client, BAN.testKits]),
    row(['main/sync/**/*.ts'], [BAN.hq, BAN.testKits, BAN.app]),
    row(['main/app/**/*.ts', 'main/host/**/*.ts'], [BAN.client, BAN.hq, BAN.testKits]),
    row(['main/**/*.ts'], [BAN.client, BAN.hq, BAN.testKits, BAN.app], ['main/electron/**', 'main/sync/**', 'main/app/**', 'main/host/**']),
    // Test code: any layer, but still no electron outside the adapter.
    { files: TEST_CODE, ignores: ['main/electron/**'], rules: { '@typescript-eslint/no-restricted-imports': ['error', BAN.electron] } },
  ];
}

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'crypto',
  'net',
  'http',
  'https',
  'stream',
  'url',
  'util',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'bench/out/**', '.shopfloor/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.{ts,cts,mjs,js}'],
    ignores: ['renderer/src/**', 'console/src/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  // The layer table (README "Layers"). Each file falls in exactly one row, because a later
  // no-restricted-imports entry replaces an earlier one for the files both match. Test code
  // (tests, test kits under testing/, the fault harness, benchmarks) may import any layer.
  // scripts/check-layers.mjs adds what per-file rules cannot see: the direction of imports between
  // main/'s folders and cycles among them.
  ...layerRules(),
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer is browser code.' },
            { name: 'better-sqlite3-multiple-ciphers', message: 'The renderer has no database.' },
            { name: 'ws', message: 'Use the browser WebSocket.' },
          ],
          patterns: [
            { group: NODE_BUILTINS, message: 'The renderer is browser code: no Node modules.' },
            {
              // The renderer's own HQ sync feature (features/sync) is not the repository's sync/ folder.
              group: ['**/main/**', '**/native/**', '**/sync/**', '**/fixtures/**', '!**/features/sync/**', '!../sync/**'],
              allowTypeImports: true,
              message: 'The renderer may import only types from main (the API contract).',
            },
          ],
        },
      ],
    },
  },
  // The finance console (served by HQ at /console/): browser code like the renderer. From sync/ it
  // takes the finance wire types and the one money formatter (sync/protocol/money.ts, which depends
  // on nothing); from the terminal's folders nothing at all.
  {
    files: ['console/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The console is browser code.' },
            { name: 'better-sqlite3-multiple-ciphers', message: 'The console has no database.' },
            { name: 'ws', message: 'The console is browser code.' },
          ],
          patterns: [
            { group: NODE_BUILTINS, message: 'The console is browser code: no Node modules.' },
            {
              group: ['**/main/**', '**/native/**', '**/fixtures/**', '**/renderer/**'],
              message: 'The console is HQ’s page: it imports nothing of the terminal.',
            },
            {
              regex: '(^|/)sync/(?!protocol/money\\.js$)',
              allowTypeImports: true,
              message: 'The console may import only types from sync/ (and sync/protocol/money.js, the one money formatter).',
            },
          ],
        },
      ],
    },
  },
);
