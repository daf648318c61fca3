import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deviceScopes } from '../protocol/feed.js';
import type { AuthedDevice, HqContext, LiveHub } from './context.js';
import type { HqDb } from './db.js';
import { HqHttpError } from './http-error.js';
import { attachLive, createLiveHub } from './live.js';
import { connectLive } from './testing/live-socket.js';

/**
 * The hub on a bare HTTP server. Authentication is the real server's business (tested over HTTP
 * in routes/sync-routes.test.ts); here a header names the device, and "nobody" is refused.
 */
async function liveServer(options: { heartbeatMs?: number } = {}): Promise<{ url: string; hub: LiveHub; server: Server }> {
  const hub = createLiveHub(() => undefined, options);
  const server = createServer((_req, res) => res.end());
  const hq: HqContext = {
    db: undefined as unknown as HqDb,
    clock: () => new Date(),
    log: () => undefined,
    live: hub,
    seen: async () => undefined,
    async authenticate(request): Promise<AuthedDevice> {
      const id = String(request.headers['x-sf-device'] ?? '');
      if (id === 'nobody') throw new HqHttpError(403, 'device_revoked', 'revoked');
      if (!id) throw new HqHttpError(401, 'unauthenticated', 'sign it');
      const storeId = id.startsWith('a') ? 'A' : 'B';
      return { id, storeId, brand: 'X', receiptCode: '01', scopes: deviceScopes({ brand: 'X', storeId, deviceId: id }) };
    },
  };
  attachLive(server, hq);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, hub, server };
}

const running: { hub: LiveHub; server: Server }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.hub.close();
    await new Promise((resolve) => r.server.close(resolve));
  }
});

describe('live hub', () => {
  it('nudges only the channels of a changed scope, at once, then merges a burst into one message', async () => {
    const s = await liveServer();
    running.push(s);
    const a = connectLive(s.url, 'a1');
    const b = connectLive(s.url, 'b1');
    await a.count(1);
    await b.count(1);
    expect(s.hub.connections()).toBe(2);
    for (let i = 0; i < 1000; i++) s.hub.changed('store:A');
    s.hub.changed('brand:X');
    s.hub.changed('store:nobody-listens');
    expect(await a.count(3)).toEqual([
      { type: 'ready' },
      { type: 'changed', scopes: ['store:A'] },
      { type: 'changed', scopes: ['store:A', 'brand:X'] },
    ]);
    expect(await b.count(2)).toEqual([{ type: 'ready' }, { type: 'changed', scopes: ['brand:X'] }]);
    // Nothing else was queued for A: the next message is the next change.
    s.hub.changed('device:a1');
    expect((await a.count(4))[3]).toEqual({ type: 'changed', scopes: ['device:a1'] });
  });

  it('refuses an unauthenticated or revoked upgrade and any other path; revoked() closes the channel', async () => {
    const s = await liveServer();
    running.push(s);
    expect(await connectLive(s.url, '').status).toBe(401);
    expect(await connectLive(s.url, 'nobody').status).toBe(403);
    expect(await connectLive(s.url, 'a1', { path: '/elsewhere' }).status).toBe(404);
    const a = connectLive(s.url, 'a1');
    await a.count(1);
    s.hub.revoked('a1');
    expect((await a.count(2))[1]).toEqual({ type: 'revoked' });
    await a.closed;
    expect(s.hub.connections()).toBe(0);
  });

  it('drops a socket that stops answering pings and keeps one that answers', async () => {
    // Only the heartbeat's interval is faked: sockets, pongs and the coalescing timer stay real,
    // and each heartbeat runs when the test says so, never on a busy machine's schedule.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const s = await liveServer({ heartbeatMs: 1000 });
      running.push(s);
      const dead = connectLive(s.url, 'a-dead', { autoPong: false });
      const alive = connectLive(s.url, 'a-alive');
      await dead.count(1);
      await alive.count(1);
      const pinged = (c: ReturnType<typeof connectLive>) => new Promise<void>((resolve) => c.ws.once('ping', () => resolve()));
      const deadPinged = pinged(dead);
      const alivePinged = pinged(alive);
      vi.advanceTimersByTime(1000);
      await Promise.all([deadPinged, alivePinged]);
      // The alive socket answered the ping as it arrived; a ping of its own, answered by HQ after
      // HQ read that pong (frames are read in order), proves HQ has noted it.
      const roundTrip = new Promise<void>((resolve) => alive.ws.once('pong', () => resolve()));
      alive.ws.ping();
      await roundTrip;
      expect(s.hub.connections()).toBe(2);
      vi.advanceTimersByTime(1000);
      await dead.closed;
      expect(alive.ws.readyState).toBe(WebSocket.OPEN);
      expect(s.hub.connections()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('close() ends every channel', async () => {
    const s = await liveServer();
    const sockets = Array.from({ length: 20 }, (_, i) => connectLive(s.url, `a${i}`));
    await Promise.all(sockets.map((c) => c.count(1)));
    expect(s.hub.connections()).toBe(20);
    await s.hub.close();
    await Promise.all(sockets.map((c) => c.closed));
    expect(s.hub.connections()).toBe(0);
    await new Promise((resolve) => s.server.close(resolve));
  });
});
