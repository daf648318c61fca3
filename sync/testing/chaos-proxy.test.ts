import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import type { Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChaosProxy } from './chaos-proxy.js';
import type { ChaosProxy, FaultPolicy } from './chaos-proxy.js';
import { waitUntil } from './process-alive.js';

/** What the upstream saw of one request, settled when the request ended or was cut. */
type Seen = { bodyBytes: number; declared: number; complete: boolean };

type Upstream = {
  server: Server;
  port: number;
  /** Requests whose handler ran to the end and answered. */
  answered: number;
  seen: Promise<Seen>[];
};

const RESPONSE = randomBytes(300_000);

// A tiny real HTTP server: POST /echo answers the body back; anything else gets RESPONSE.
async function startUpstream(): Promise<Upstream> {
  const upstream: Upstream = { server: createServer(), port: 0, answered: 0, seen: [] };
  upstream.server.on('request', (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    upstream.seen.push(
      new Promise<Seen>((resolve) => {
        const declared = Number(req.headers['content-length'] ?? 0);
        req.on('data', (chunk: Buffer) => {
          bodyBytes += chunk.length;
          chunks.push(chunk);
        });
        req.on('end', () => resolve({ bodyBytes, declared, complete: true }));
        req.on('close', () => resolve({ bodyBytes, declared, complete: req.complete }));
        req.on('error', () => undefined);
      }),
    );
    req.on('end', () => {
      upstream.answered += 1;
      const body = req.url === '/echo' ? Buffer.concat(chunks) : RESPONSE;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.port = (upstream.server.address() as AddressInfo).port;
  return upstream;
}

async function postEcho(proxy: ChaosProxy, body: Uint8Array): Promise<Buffer> {
  const response = await fetch(`${proxy.url}/echo`, { method: 'POST', body });
  return Buffer.from(await response.arrayBuffer());
}

// Reads everything a raw TCP client receives for a request until the connection closes.
function rawExchange(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(request);
  });
}

describe('chaos proxy', () => {
  let upstream: Upstream;
  let proxy: ChaosProxy | undefined;

  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  async function proxyWith(policy: FaultPolicy): Promise<ChaosProxy> {
    proxy = await startChaosProxy({ upstream: { host: '127.0.0.1', port: upstream.port }, policy });
    return proxy;
  }

  it('pass forwards identical bytes both ways', async () => {
    const p = await proxyWith(() => ({ kind: 'pass' }));
    const body = randomBytes(200_000);
    expect((await postEcho(p, body)).equals(body)).toBe(true);
    const got = Buffer.from(await (await fetch(`${p.url}/big`)).arrayBuffer());
    expect(got.equals(RESPONSE)).toBe(true);
    expect(p.stats.byFault.pass).toBeGreaterThanOrEqual(1);
    expect(p.stats.connections).toBe(p.stats.byFault.pass);
  });

  it('refuse: the client fails, the upstream never hears of it', async () => {
    const p = await proxyWith(() => ({ kind: 'refuse' }));
    await expect(postEcho(p, randomBytes(100))).rejects.toThrow();
    expect(upstream.seen).toHaveLength(0);
    expect(p.stats.byFault.refuse).toBeGreaterThanOrEqual(1);
  });

  it('delay: everything still arrives intact', async () => {
    const p = await proxyWith(() => ({ kind: 'delay', ms: 30 }));
    const body = randomBytes(150_000);
    expect((await postEcho(p, body)).equals(body)).toBe(true);
    expect(p.stats.byFault.delay).toBeGreaterThanOrEqual(1);
  });

  it('reset_mid_request: the upstream gets a body cut short, the client an error', async () => {
    const p = await proxyWith(() => ({ kind: 'reset_mid_request', afterBytes: 4_000 }));
    await expect(postEcho(p, randomBytes(100_000))).rejects.toThrow();
    await p.idle();
    expect(upstream.seen).toHaveLength(1);
    const seen = await upstream.seen[0]!;
    expect(seen.complete).toBe(false);
    expect(seen.declared).toBe(100_000);
    expect(seen.bodyBytes).toBeGreaterThan(0);
    expect(seen.bodyBytes).toBeLessThan(4_000);
    expect(upstream.answered).toBe(0);
  });

  it('reset_mid_request passes exactly afterBytes bytes upstream', async () => {
    const received: Buffer[] = [];
    const sink = createServerSink(received);
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkProxy = await startChaosProxy({
      upstream: { host: '127.0.0.1', port: (sink.address() as AddressInfo).port },
      policy: () => ({ kind: 'reset_mid_request', afterBytes: 1234 }),
    });
    try {
      await rawExchange(sinkProxy.port, 'x'.repeat(50_000));
      await sinkProxy.idle();
      expect(Buffer.concat(received).toString()).toBe('x'.repeat(1234));
    } finally {
      await sinkProxy.close();
      await new Promise((resolve) => sink.close(resolve));
    }
  });

  it('drop_response: the upstream answered (committed) but the client got a network error', async () => {
    const p = await proxyWith(() => ({ kind: 'drop_response' }));
    const body = randomBytes(10_000);
    await expect(postEcho(p, body)).rejects.toThrow();
    expect(upstream.answered).toBe(1);
    const seen = await upstream.seen[0]!;
    expect(seen).toEqual({ bodyBytes: 10_000, declared: 10_000, complete: true });
    expect(p.stats.byFault.drop_response).toBeGreaterThanOrEqual(1);
  });

  it('reset_mid_response: the client gets exactly afterBytes bytes of the answer, then the end', async () => {
    const p = await proxyWith(() => ({ kind: 'reset_mid_response', afterBytes: 100 }));
    const got = await rawExchange(p.port, 'GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(got).toHaveLength(100);
    expect(got.toString('latin1').startsWith('HTTP/1.1 200')).toBe(true);
    expect(upstream.answered).toBe(1);
  });

  it('reset_mid_response in the body: fetch gets headers, then reading the body fails', async () => {
    const p = await proxyWith(() => ({ kind: 'reset_mid_response', afterBytes: 50_000 }));
    const response = await fetch(`${p.url}/big`);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it('picks the fault per connection index, and setPolicy changes it for later connections', async () => {
    const p = await proxyWith((index) => (index === 0 ? { kind: 'refuse' } : { kind: 'pass' }));
    await expect(rawExchange(p.port, 'GET /big HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).resolves.toHaveLength(0);
    const second = await rawExchange(p.port, 'GET /big HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(second.subarray(second.length - RESPONSE.length).equals(RESPONSE)).toBe(true);
    p.setPolicy(() => ({ kind: 'drop_response' }));
    await expect(rawExchange(p.port, 'GET /big HTTP/1.1\r\nhost: x\r\n\r\n')).resolves.toHaveLength(0);
    expect(upstream.answered).toBe(2);
    expect(p.stats).toMatchObject({ connections: 3, byFault: { refuse: 1, pass: 1, drop_response: 1 } });
    await p.idle();
    expect(p.stats.active).toBe(0);
  });

  it('silence(): open connections stop forwarding both ways and stay open; blackhole: a connection that never answers', async () => {
    const echoed: Buffer[] = [];
    const echo = createNetServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        echoed.push(chunk);
        socket.write(chunk);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const p = await startChaosProxy({ upstream: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port } });
    try {
      const socket = connect({ host: '127.0.0.1', port: p.port });
      socket.on('error', () => undefined);
      const received: Buffer[] = [];
      const firstEcho = new Promise((resolve) => socket.once('data', resolve));
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.write('a');
      await firstEcho;
      p.silence();
      socket.write('bb');
      await waitUntil(() => p.stats.swallowed >= 2, 'the proxy to swallow what the client sent');
      expect(Buffer.concat(echoed).toString()).toBe('a');
      expect(Buffer.concat(received).toString()).toBe('a');
      expect(socket.destroyed).toBe(false);

      p.setPolicy(() => ({ kind: 'blackhole' }));
      const hole = connect({ host: '127.0.0.1', port: p.port });
      hole.on('error', () => undefined);
      hole.write('ccc');
      await waitUntil(() => p.stats.swallowed >= 5, 'the blackhole to swallow what the client sent');
      expect(p.stats.byFault.blackhole).toBe(1);
      expect(Buffer.concat(echoed).toString()).toBe('a');
      expect(hole.destroyed).toBe(false);
      hole.destroy();
      socket.destroy();
    } finally {
      await p.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it('an upstream that is down looks like a reset to the client', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise((resolve) => down.close(resolve));
    const p = await startChaosProxy({ upstream: { host: '127.0.0.1', port } });
    proxy = p;
    await expect(fetch(`${p.url}/big`)).rejects.toThrow();
  });

  it('close() ends open connections and stops listening', async () => {
    const p = await proxyWith(() => ({ kind: 'pass' }));
    const socket = connect({ host: '127.0.0.1', port: p.port });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    await p.close();
    proxy = undefined;
    await closed;
    await expect(fetch(`${p.url}/big`)).rejects.toThrow();
  });
});

// A raw TCP sink: keeps every byte it receives, never answers.
function createServerSink(received: Buffer[]): NetServer {
  return createNetServer((socket) => {
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
  });
}
