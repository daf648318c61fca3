import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHqDb } from './db.js';
import type { HqDb } from './db.js';
import { createHqServer } from './server.js';
import type { HqServer } from './server.js';

// The finance console as HQ serves it (`/console/`): the built files of one folder, each with its
// type and the console's Content-Security-Policy, and nothing else — above all nothing outside that
// folder, however the path is spelled. Paths go out byte for byte (node:http, not fetch, which
// would fold `..` away before sending).

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function get(url: string, path: string, method = 'GET'): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'the-file-outside-the-console';
const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-abc.js"></script></head></html>';

describe('HQ serves the finance console at /console/', () => {
  let root: string;
  let db: HqDb;
  let server: HqServer;

  beforeAll(async () => {
    // A build like dist/: the console's folder, with files beside and above it that must stay unreachable.
    root = mkdtempSync(join(tmpdir(), 'shopfloor-console-'));
    const dir = join(root, 'dist', 'console');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log("finance")');
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{margin:0}');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: SECRET }));
    writeFileSync(join(root, 'dist', 'secret.txt'), SECRET);
    db = await openHqDb({});
    server = await createHqServer({ db, log: () => undefined, consoleDir: dir });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the page and its assets with their types, the strict policy and no caching of the page', async () => {
    const page = await get(server.url, '/console/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(INDEX);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await get(server.url, '/console/index.html')).body).toBe(INDEX);
    // Bare /console sends the browser to the folder, so the page's relative URLs resolve inside it.
    const bare = await get(server.url, '/console');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/console/');

    const script = await get(server.url, '/console/assets/index-abc.js');
    expect(script).toMatchObject({ status: 200, body: 'console.log("finance")' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
    const style = await get(server.url, '/console/assets/index-abc.css?v=1');
    expect(style).toMatchObject({ status: 200, body: 'body{margin:0}' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(server.url, '/console/', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
  });

  it('answers 404 for a path that is not one of the built files', async () => {
    for (const path of ['/console/nope.js', '/console/assets/', '/console/assets', '/console/INDEX.HTML', '/consoles/', '/console/x/']) {
      const answer = await get(server.url, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await get(server.url, '/console/', 'POST')).status).toBe(404);
  });

  it('never answers a file outside the console folder, however the path is spelled', async () => {
    for (const path of [
      '/console/../package.json',
      '/console/../../package.json',
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%2E%2E/%2E%2E/package.json',
      '/console/..%2fsecret.txt',
      '/console/..%2F..%2Fpackage.json',
      '/console/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/..%5csecret.txt',
      '/console/..\\secret.txt',
      '/console/assets/../../secret.txt',
      '/console/%252e%252e/secret.txt',
      '/console//etc/passwd',
      '/console/%00index.html',
      '/console/index.html%00.js',
    ]) {
      const answer = await get(server.url, path);
      expect({ path, status: answer.status }).toEqual({ path, status: expect.toBeOneOf([400, 404]) });
      expect(answer.body).not.toContain(SECRET);
    }
  });
});

describe('an HQ without a built console', () => {
  it('starts, and answers /console/ with a 404 that says how to build it', async () => {
    const db = await openHqDb({});
    const dir = mkdtempSync(join(tmpdir(), 'shopfloor-console-missing-'));
    const server = await createHqServer({ db, log: () => undefined, consoleDir: join(dir, 'console') });
    try {
      const answer = await get(server.url, '/console/');
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'not_found', message: expect.stringContaining('npm run build:console') } });
    } finally {
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
