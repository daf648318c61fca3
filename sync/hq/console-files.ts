import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HqHttpError } from './http-error.js';

/** Where HQ serves the finance console (console/, built by `npm run build:console` into dist/console). */
export const CONSOLE_PATH = '/console/';

/**
 * The console's policy: its own scripts and styles only, no inline anything, calls to HQ's own
 * origin only (the admin API), no frames, no forms posted anywhere, no plugins.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

type ConsoleFile = { body: Buffer; type: string };

/**
 * The built console, read once at start: a map from the path under /console/ to the file. A
 * request is answered only by an exact key of that map, so no spelling of `..`, encoded or not,
 * can reach a file outside the folder: paths are never joined to the disk at request time. Files
 * of other types (source maps, anything dropped there by hand) are not served.
 */
function readConsole(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile() && TYPES[extname(entry.name)])
        files.set(`${prefix}${entry.name}`, { body: readFileSync(path), type: TYPES[extname(entry.name)]! });
    }
  };
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir, '');
  return files;
}

/**
 * Serves the finance console from `dir` (dist/console) at /console/. Without a built console
 * (`npm run build:main` alone) HQ still starts, and /console/ says how to build it.
 */
export function registerConsoleRoutes(app: FastifyInstance, dir: string): void {
  const files = readConsole(dir);
  const built = files.has('index.html');
  app.get('/console', (_request, reply) => reply.redirect(CONSOLE_PATH, 301));
  app.get(`${CONSOLE_PATH}*`, (request, reply) => {
    if (!built) throw new HqHttpError(404, 'not_found', 'the finance console is not built on this HQ: run npm run build:console');
    const name = (request.params as { '*': string })['*'];
    const file = files.get(name === '' ? 'index.html' : name);
    if (!file) throw new HqHttpError(404, 'not_found', `no file ${CONSOLE_PATH}${name}`);
    const page = file.type.startsWith('text/html');
    return reply
      .type(file.type)
      .headers({
        'content-security-policy': CONSOLE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        // The page names its assets by content hash: a new build is a new page, picked up at once.
        'cache-control': page ? 'no-store' : 'public, max-age=31536000, immutable',
      })
      .send(file.body);
  });
}
