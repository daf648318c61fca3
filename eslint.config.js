// Flat config. Besides the usual TypeScript rules it enforces the layers of CONVENTIONS.md:
// the renderer is browser code, only main/electron may import electron, sync/protocol depends on
// neither side. Type-only imports of the API contract stay allowed in the renderer.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'bench/out/**', '.shopfloor/**'] },
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
    ignores: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Everything but the Electron adapter runs under plain Node.
    files: ['main/**/*.ts', 'native/**/*.ts', 'sync/**/*.ts', 'fixtures/**/*.ts', 'bench/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only main/electron/ may import electron.' }],
          patterns: [{ group: ['**/electron/*'], message: 'Only main/electron/ may import the Electron adapter.' }],
        },
      ],
    },
  },
  {
    files: ['sync/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            {
              group: ['**/main/**', '**/hq/**', '**/client/**', '**/native/**'],
              message: 'sync/protocol is shared by device and HQ and depends on neither.',
            },
          ],
        },
      ],
    },
  },
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
);
