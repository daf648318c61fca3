import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUSH_BYTES } from '../protocol/push.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { startChaosProxy } from '../testing/chaos-proxy.js';
import type { ChaosProxy } from '../testing/chaos-proxy.js';
import type { CreateReplicatorOptions } from './replicator.js';
import { enrolAt, testDevice, waitForState, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const newId = uuidv7Generator();
const TWO_HOURS_MS = 2 * 3_600_000;

describe.each(backends)('a replicator when things go wrong, on $name', (backend) => {
  let hq: TestHq;
  let sku: string;
  const devices: TestDevice[] = [];
  const replicators: Replicator[] = [];
  const proxies: ChaosProxy[] = [];

  beforeAll(async () => {
    hq = await startTestHq(await openTestHqDb({ databaseUrl: await backend.databaseUrl() }));
    sku = (await hq.db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1'))[0]?.sku ?? '';
  }, 180_000);
  afterAll(async () => {
    await hq?.close();
    await hq?.db.close();
  });
  afterEach(async () => {
    for (const r of replicators.splice(0)) await r.close();
    for (const p of proxies.splice(0)) await p.close();
    for (const d of devices.splice(0)) d.cleanup();
  });

  async function enrolled(clock: () => Date = () => new Date()): Promise<TestDevice> {
    const device = testDevice();
    devices.push(device);
    await enrolAt(device, hq, { clock });
    return device;
  }

  function replicator(device: TestDevice, extra: Partial<CreateReplicatorOptions> = {}): Replicator {
    const r = testReplicator(device, hq.url, { storeId: TEST_STORE, ...extra });
    replicators.push(r);
    return r;
  }

  const price = (device: TestDevice) =>
    (device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?').get(sku) as { price_fen: number }).price_fen;
  const reprice = async (fen: number) => hq.db.query('UPDATE sku SET price_fen = $2 WHERE sku = $1', [sku, fen]);

  it('syncs with a device clock two hours off after at most one refused request, and says the clock is off', async () => {
    const skewed = () => new Date(Date.now() + TWO_HOURS_MS);
    const device = await enrolled(skewed);
    const refusals: string[] = [];
    const watching: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) refusals.push(`${String(input)} ${await response.clone().text()}`);
      return response;
    };
    const r = replicator(device, { clock: skewed, fetch: watching, live: true, pollMs: 3_600_000 });
    r.start();
    const synced = await waitForState(r, (s) => s.hq === 'online' && s.lastSyncAt !== null && s.provisioning?.phase === 'done');
    expect(synced.lastError).toBeNull();
    expect(refusals.length, refusals.join('\n')).toBeLessThanOrEqual(1);
    expect(synced.deviceClock?.off).toBe(true);
    expect(Math.abs((synced.deviceClock?.offsetMs ?? 0) + TWO_HOURS_MS)).toBeLessThan(60_000);
    // The live channel signs with the corrected time too: a change arrives by nudge, not by the hourly poll.
    await waitForState(r, (s) => s.live === true);
    const arrived = waitForState(r, () => price(device) === 43210);
    await reprice(43210);
    await arrived;
    expect(refusals.length).toBeLessThanOrEqual(1);
  });

  it('keeps pulling prices while HQ refuses every push (a batch over its size limit)', async () => {
    const device = await enrolled();
    const r = replicator(device);
    await r.syncNow();
    // An event HQ refuses whole, every time: bigger than the body HQ reads (413 too_large).
    const payload = JSON.stringify({ note: 'x'.repeat(MAX_PUSH_BYTES + 1024) });
    device.store.db
      .prepare(
        "INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, 'audit.note', ?, NULL, ?, ?, ?)",
      )
      .run(newId(), payload, device.deviceId, TEST_STORE, new Date().toISOString());
    for (const fen of [11111, 22222]) {
      await reprice(fen);
      const state = await r.syncNow();
      expect(state).toMatchObject({ hq: 'online', pendingEvents: 1, lastError: { code: 'too_large' } });
      expect(price(device)).toBe(fen);
    }
  });

  it('falls back to polling when its live socket goes silent, and says the channel is down', async () => {
    const device = await enrolled();
    // The live channel goes through the proxy; requests go to HQ directly, so polling keeps working.
    const proxy = await startChaosProxy({ upstream: { host: '127.0.0.1', port: hq.port } });
    proxies.push(proxy);
    const direct: typeof fetch = (input, init) => fetch(String(input).replace(proxy.url, hq.url), init);
    const r = replicator(device, { hqUrl: proxy.url, fetch: direct, live: true, livePingMs: 200, pollMs: 400 });
    r.start();
    await waitForState(r, (s) => s.live === true && s.provisioning?.phase === 'done');
    // The proxy stops forwarding without closing anything, and takes no new connection either.
    proxy.setPolicy(() => ({ kind: 'blackhole' }));
    proxy.silence();
    await waitForState(r, (s) => s.live === false, 10_000, 'live channel down');
    const arrived = waitForState(r, () => price(device) === 33333, 10_000, 'the price by polling');
    await reprice(33333);
    await arrived;
    expect(r.state().live).toBe(false);
  });
});
