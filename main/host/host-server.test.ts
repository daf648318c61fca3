import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventFrame, ResponseFrame } from '../api/contract.js';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';
import { startHost } from './host-server.js';
import type { Host } from './host-server.js';

let t: TestTerminal;
let host: Host;

beforeAll(async () => {
  t = testTerminal();
  const staticDir = join(t.dataDir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Shopfloor</title>');
  writeFileSync(join(t.dataDir, 'secret.txt'), 'not for the browser');
  host = await startHost({ terminal: t.terminal, staticDir, port: 0, log: () => undefined });
});
afterAll(async () => {
  await host.close();
  t.cleanup();
});

const wsUrl = () => `ws://127.0.0.1:${host.port}/api`;

/** Resolves with the HTTP status the server refused the upgrade with, or 101 if it accepted. */
function upgradeStatus(protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), ['shopfloor.v1', `token.${host.token}`]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextFrame<T>(ws: WebSocket, match: (frame: ResponseFrame | EventFrame) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ResponseFrame | EventFrame;
      if (match(frame)) {
        ws.off('message', onMessage);
        resolve(frame as T);
      }
    };
    ws.on('message', onMessage);
  });
}

function httpGet(
  path: string,
  host_ = `127.0.0.1:${host.port}`,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { Host: host_ } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the browser host', () => {
  it('listens on loopback only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(host.launchUrl).toBe(`${host.url}#token=${host.token}`);
  });

  it('refuses a WebSocket without the token, with a wrong token, or without the protocol', async () => {
    expect(await upgradeStatus(['shopfloor.v1'])).toBe(401);
    expect(await upgradeStatus(['shopfloor.v1', 'token.' + '0'.repeat(host.token.length)])).toBe(401);
    expect(await upgradeStatus(['shopfloor.v1', 'token.' + host.token.slice(0, -1)])).toBe(401);
    expect(await upgradeStatus([`token.${host.token}`])).toBe(400);
  });

  it('refuses a page from another origin even with the token, and a rebinding Host name', async () => {
    expect(await upgradeStatus(['shopfloor.v1', `token.${host.token}`], { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(['shopfloor.v1', `token.${host.token}`], { Host: `evil.example:${host.port}` })).toBe(421);
    expect(await upgradeStatus(['shopfloor.v1', `token.${host.token}`], { Origin: `http://127.0.0.1:${host.port}` })).toBe(101);
  });

  it('answers calls and pushes events to every connected renderer', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const status = nextFrame<ResponseFrame>(a, (f) => f.t === 'res' && f.id === 1);
    a.send(JSON.stringify({ t: 'req', id: 1, domain: 'system', method: 'status', input: {} }));
    expect((await status).result).toMatchObject({ ok: true, value: { state: 'ready', appVersion: '0.0.0-test' } });

    const scannedOnB = nextFrame<EventFrame<'scanned'>>(b, (f) => f.t === 'evt' && f.name === 'scanned');
    a.send(JSON.stringify({ t: 'req', id: 2, domain: 'scanner', method: 'submit', input: { raw: '6901234567892', source: 'wedge' } }));
    const event = await scannedOnB;
    expect(event.payload).toMatchObject({ raw: '6901234567892', kind: 'product', code: '6901234567892', source: 'wedge' });

    // Garbage on the socket is ignored; the connection keeps working.
    a.send('{{{ not json');
    a.send(Buffer.from([0, 1, 2]));
    const after = nextFrame<ResponseFrame>(a, (f) => f.t === 'res' && f.id === 3);
    a.send(JSON.stringify({ t: 'req', id: 3, domain: 'catalog', method: 'lookup', input: {} }));
    expect((await after).result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    a.close();
    b.close();
  });

  it('serves the renderer with its CSP, and nothing outside it', async () => {
    const index = await httpGet('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('Shopfloor');
    expect(String(index.headers['content-security-policy'])).toContain("default-src 'self'");
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/missing.js']) {
      expect((await httpGet(path)).status).toBe(404);
    }
    expect((await httpGet('/', 'attacker.example')).status).toBe(421);
  });
});
