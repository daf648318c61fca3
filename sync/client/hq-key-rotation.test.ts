import { createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../main/testing/temp-dir.js';
import { signLiveFrame } from '../protocol/live.js';
import { keyFingerprint } from '../protocol/signing.js';
import type { HqDb } from '../hq/db.js';
import { ephemeralHqKey, loadHqKey, rotateHqKey } from '../hq/hq-key.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { HQ_FINGERPRINT_META, HQ_KEY_META } from './hq-trust.js';
import { readMeta } from './identity.js';
import { enrolAt, testDevice as testDeviceStore, testReplicator, waitForState } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

/** HQ's key changes (rotation, a new HQ machine); the device follows only what the pinned key vouches for. */
describe("HQ's key: rotation, and devices enrolled before HQ signed", () => {
  const dir = tempDir('shopfloor-hq-key-');
  const keyFile = join(dir.path, 'hq-signing-key.pem');
  let db: HqDb;
  const servers: TestHq[] = [];
  const devices: TestDevice[] = [];
  const replicators: Replicator[] = [];
  beforeAll(async () => {
    db = await openTestHqDb({ skus: 20, customers: 5 });
  }, 120_000);
  afterEach(async () => {
    for (const r of replicators.splice(0)) await r.close();
    for (const s of servers.splice(0)) await s.close();
    for (const d of devices.splice(0)) d.cleanup();
  });
  afterAll(async () => {
    await db?.close();
    dir.cleanup();
  });

  async function hqWith(hqKey = loadHqKey(keyFile)): Promise<TestHq> {
    const hq = await startTestHq(db, { hqKey });
    servers.push(hq);
    return hq;
  }

  async function enrolledAt(hq: TestHq): Promise<TestDevice> {
    const device = testDeviceStore();
    devices.push(device);
    await enrolAt(device, hq);
    return device;
  }

  function replicatorAt(
    device: TestDevice,
    hq: { url: string },
    log: (message: string, detail?: unknown) => void = () => undefined,
    live = false,
  ): Replicator {
    const r = testReplicator(device, hq.url, { storeId: TEST_STORE, log, live });
    replicators.push(r);
    return r;
  }

  it('follows a rotation the old key endorsed, and refuses a key nobody endorsed', async () => {
    const first = await hqWith();
    const device = await enrolledAt(first);
    expect(await replicatorAt(device, first).syncNow()).toMatchObject({ lastError: null });
    const k1 = first.hqPublicKey;

    // Another HQ with a key of its own (a machine posing as HQ, or one given the wrong key file).
    const stranger = await hqWith(ephemeralHqKey());
    expect(await replicatorAt(device, stranger).syncNow()).toMatchObject({ lastError: { code: 'bad_response' } });
    expect(readMeta(device.store.db, HQ_KEY_META)).toBe(k1);

    const k1Key = loadHqKey(keyFile);
    const { previous, current } = rotateHqKey(keyFile);
    expect(previous).toBe(keyFingerprint(k1));
    const rotated = await hqWith();
    expect(rotated.hqFingerprint).toBe(current);
    const logs: string[] = [];
    expect(await replicatorAt(device, rotated, (m) => logs.push(m)).syncNow()).toMatchObject({ hq: 'online', lastError: null });
    expect(readMeta(device.store.db, HQ_KEY_META)).toBe(rotated.hqPublicKey);
    expect(logs).toContain(`sync: HQ rotated its key to ${current}`);
    // The old key no longer counts for this device.
    const old = await hqWith(k1Key);
    expect(old.hqPublicKey).toBe(k1);
    expect(await replicatorAt(device, old).syncNow()).toMatchObject({ lastError: { code: 'bad_response' } });
  });

  it('pins the first key of a device enrolled before HQ signed, checked against a fingerprint IT gave', async () => {
    const hq = await hqWith(ephemeralHqKey());
    const device = await enrolledAt(hq);
    const forget = () => device.store.db.prepare('DELETE FROM meta WHERE key = ?').run(HQ_KEY_META);
    forget();
    device.store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(HQ_FINGERPRINT_META, 'AAAA-BBBB-CCCC-DDDD');
    expect(await replicatorAt(device, hq).syncNow()).toMatchObject({ lastError: { code: 'bad_response' } });
    expect(readMeta(device.store.db, HQ_KEY_META)).toBeUndefined();
    device.store.db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(hq.hqFingerprint, HQ_FINGERPRINT_META);
    expect(await replicatorAt(device, hq).syncNow()).toMatchObject({ lastError: null });
    expect(readMeta(device.store.db, HQ_KEY_META)).toBe(hq.hqPublicKey);
  });

  it('ignores live messages and refusals HQ did not sign: a forged `revoked` stops nothing', async () => {
    const hq = await hqWith(ephemeralHqKey());
    const device = await enrolledAt(hq);
    // A machine answering the live channel: an unsigned `revoked`, then one signed by its own key,
    // then a refused upgrade claiming the device was revoked.
    const impostor = ephemeralHqKey();
    const wss = new WebSocketServer({ noServer: true });
    let upgrades = 0;
    // A revoked device never comes back; one that shrugged the forgeries off reconnects.
    let thirdUpgrade: () => void = () => undefined;
    const cameBack = new Promise<void>((resolve) => (thirdUpgrade = resolve));
    const fake = createServer((_request, response) => response.writeHead(503).end());
    fake.on('upgrade', (request, socket, head) => {
      socket.on('error', () => undefined);
      if (++upgrades === 3) thirdUpgrade();
      if (upgrades > 1) {
        const body = JSON.stringify({ error: { code: 'device_revoked', message: 'forged' } });
        socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('error', () => undefined);
        ws.send('{"type":"revoked"}');
        ws.send(signLiveFrame(impostor, '{"type":"revoked"}', String(request.headers['x-sf-nonce']), new Date()));
        ws.close();
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const logs: string[] = [];
    const r = replicatorAt(device, { url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` }, (m) => logs.push(m), true);
    r.start();
    try {
      await cameBack;
      expect(logs.filter((l) => l.startsWith('live: ignored a message HQ did not sign'))).toHaveLength(2);
      expect(r.state().hq).not.toBe('revoked');
    } finally {
      await r.close();
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('comes back live after HQ restarts with a rotated key behind the same address', async () => {
    const first = await hqWith();
    const device = await enrolledAt(first);
    // A fixed address in front of HQ (a load balancer): HQ restarts behind it with its new key.
    const port = (url: string) => Number(new URL(url).port);
    let target = port(first.url);
    const sockets = new Set<Socket>();
    const proxy = createTcpServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) s.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const logs: string[] = [];
    const r = replicatorAt(device, { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` }, (m) => logs.push(m), true);
    try {
      r.start();
      await waitForState(r, (s) => s.live === true && s.hq === 'online', 20_000, 'live before the rotation');
      // Settled: no round in flight when HQ goes (one would pin the new key over HTTP by chance).
      expect(await r.syncNow()).toMatchObject({ hq: 'online', live: true, lastError: null });

      rotateHqKey(keyFile);
      const rotated = await hqWith();
      target = port(rotated.url);
      for (const s of sockets) s.destroy();
      await waitForState(r, (s) => s.live === false, 20_000, 'down while HQ restarts');
      // The channel to the new HQ is open; its `ready` is signed with a key the device has not pinned yet.
      await expect
        .poll(() => logs.filter((l) => l.startsWith('live: ignored a message HQ did not sign')).length, { timeout: 20_000 })
        .toBeGreaterThan(0);
      await waitForState(r, (s) => s.live === true, 10_000, 'live again after the rotation');
      expect(readMeta(device.store.db, HQ_KEY_META)).toBe(rotated.hqPublicKey);
      expect(r.state()).toMatchObject({ hq: 'online', lastError: null });
    } finally {
      await r.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
  it('comes back live when the first round after the rotation reached an HQ process still on the old key', async () => {
    // Several HQ processes behind one address, restarted one by one with the new key: the live
    // channel reaches a restarted one, the device's next HTTP round one not restarted yet.
    const old = await hqWith();
    const device = await enrolledAt(old);
    rotateHqKey(keyFile);
    const rotated = await hqWith();
    const port = (url: string) => Number(new URL(url).port);
    let httpTarget = port(old.url);
    const http = new Set<Socket>();
    const all = new Set<Socket>();
    const proxy = createTcpServer((client) => {
      all.add(client);
      client.once('data', (first) => {
        const live = /^upgrade: websocket/im.test(first.toString('latin1'));
        const upstream = connect(live ? port(rotated.url) : httpTarget, '127.0.0.1');
        all.add(upstream);
        if (!live) http.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        for (const s of [client, upstream]) s.on('error', drop).on('close', drop);
        upstream.write(first);
        client.pipe(upstream).pipe(client);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const logs: string[] = [];
    const r = replicatorAt(device, { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` }, (m) => logs.push(m), true);
    try {
      r.start();
      await expect
        .poll(() => logs.filter((l) => l.startsWith('live: ignored a message HQ did not sign')).length, { timeout: 20_000 })
        .toBeGreaterThan(0);
      // The round the live channel asked for went to the old process: answered, signed with the old key, nothing new pinned.
      expect(await r.syncNow()).toMatchObject({ hq: 'online', lastError: null, live: false });
      expect(readMeta(device.store.db, HQ_KEY_META)).toBe(old.hqPublicKey);

      // The old process restarts too; the next round (a poll) pins the new key.
      httpTarget = port(rotated.url);
      for (const s of http) s.destroy();
      // A round on a keep-alive socket the proxy just closed fails: the next one reaches the new process.
      await expect.poll(async () => (await r.syncNow()).lastError, { timeout: 10_000 }).toBeNull();
      expect(readMeta(device.store.db, HQ_KEY_META)).toBe(rotated.hqPublicKey);
      await waitForState(r, (s) => s.live === true, 5_000, 'live once a round pinned the new key');
    } finally {
      await r.close();
      for (const s of all) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
