import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceScopes } from '../protocol/feed.js';
import { DEVICE_CHANNEL, deviceNotice } from './auth.js';
import type { AuthedDevice, HqContext, LiveHub } from './context.js';
import type { HqDb, ListenEvents } from './db.js';
import { attachLive, createLiveHub } from './live.js';
import { connectLive } from './testing/live-socket.js';
import { CHANGE_CHANNEL, listenForNotices } from './notice-listeners.js';

/**
 * The listeners over a database whose listening connections the test loses and restores at will
 * (db.ts does that for real on PostgreSQL: see sync/faults/postgres-restart.test.ts), and the real
 * hub on a bare HTTP server where a header names the device.
 */
async function setUp(revoked: string[]) {
  const listeners = new Map<string, { onPayload: (payload: string) => void; events: ListenEvents }>();
  const db = {
    async listen(channel: string, onPayload: (payload: string) => void, events: ListenEvents = {}) {
      listeners.set(channel, { onPayload, events });
      return async () => undefined;
    },
    async query(_text: string, params: readonly unknown[] = []) {
      return (params[0] as string[]).filter((id) => revoked.includes(id)).map((id) => ({ id }));
    },
  } as unknown as HqDb;
  const hub = createLiveHub(() => undefined, { nudgeAllSpreadMs: 0 });
  const server = createServer((_req, res) => res.end());
  const hq: HqContext = {
    db,
    clock: () => new Date(),
    log: () => undefined,
    live: hub,
    seen: async () => undefined,
    async authenticate(request): Promise<AuthedDevice> {
      const id = String(request.headers['x-sf-device']);
      return { id, storeId: 'A', brand: 'X', receiptCode: '01', scopes: deviceScopes({ brand: 'X', storeId: 'A', deviceId: id }) };
    },
  };
  attachLive(server, hq);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const forgotten: string[] = [];
  const restored: string[] = [];
  const waiters: (() => void)[] = [];
  const stop = await listenForNotices({
    db,
    live: hub,
    log: () => undefined,
    auth: { forget: (id) => forgotten.push(id), forgetAll: () => forgotten.push('*'), enrolled: () => undefined },
    onRestored: (channel) => {
      restored.push(channel);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  const restoredNow = (channel: string) =>
    new Promise<void>((resolve) => {
      const check = () => (restored.includes(channel) ? resolve() : waiters.push(check));
      check();
    });
  return { listeners, hub, server, stop, forgotten, restoredNow, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const running: { hub: LiveHub; server: Server; stop: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.stop();
    await r.hub.close();
    await new Promise((resolve) => r.server.close(resolve));
  }
});

describe("HQ's notice listeners", () => {
  it('nudge every live channel once with all its scopes when the change listener is back after a loss', async () => {
    const s = await setUp([]);
    running.push(s);
    const a = connectLive(s.url, 'a1');
    const b = connectLive(s.url, 'a2');
    await a.count(1);
    await b.count(1);
    const changes = s.listeners.get(CHANGE_CHANNEL);
    changes?.onPayload('device:a1');
    expect((await a.count(2))[1]).toEqual({ type: 'changed', scopes: ['device:a1'] });
    changes?.events.onLost?.('terminating connection due to administrator command');
    changes?.events.onRestored?.();
    expect((await a.count(3))[2]).toEqual({ type: 'changed', scopes: ['brand:X', 'store:A', 'device:a1'] });
    expect((await b.count(2))[1]).toEqual({ type: 'changed', scopes: ['brand:X', 'store:A', 'device:a2'] });
  });

  it('forget every cached device and close the channels of devices revoked meanwhile when the device listener is back', async () => {
    const s = await setUp(['a2']);
    running.push(s);
    const a = connectLive(s.url, 'a1');
    const b = connectLive(s.url, 'a2');
    await a.count(1);
    await b.count(1);
    const devices = s.listeners.get(DEVICE_CHANNEL);
    devices?.onPayload(deviceNotice('rotated', '01900000-0000-7000-8000-00000000d001'));
    expect(s.forgotten).toEqual(['01900000-0000-7000-8000-00000000d001']);
    devices?.events.onLost?.('connection ended');
    devices?.events.onRestored?.();
    await s.restoredNow(DEVICE_CHANNEL);
    expect(s.forgotten).toContain('*');
    expect((await b.count(2))[1]).toEqual({ type: 'revoked' });
    await b.closed;
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.hub.connections()).toBe(1);
  });
});
