import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The finance console: a second browser app, served by HQ itself at /console/ (sync/hq/console-files.ts).
export default defineConfig({
  root,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'chrome120',
    // The CSP allows no inline script, style or data: beyond icons: every asset is a file.
    assetsInlineLimit: 0,
    // One chunk: nothing to preload, so no polyfill code for it.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', strictPort: false },
});
