import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceOutbox } from '../../main/store/outbox.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { startChaosProxy } from '../testing/chaos-proxy.js';
import type { ChaosProxy } from '../testing/chaos-proxy.js';
import { enrolDevice } from './enrol.js';
import { createReplicator } from './replicator.js';
import type { CreateReplicatorOptions } from './replicator.js';
import { testDevice, waitForState } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

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
    const outbox = deviceOutbox(device.store.db);
    await enrolDevice({
      db: device.store.db,
      outbox,
      hqUrl: hq.url,
      code: await hq.enrolCode(),
      appVersion: '0.1.0-test',
      hostname: 't',
      clock,
    });
    return device;
  }

  function replicator(device: TestDevice, extra: Partial<CreateReplicatorOptions> = {}): Replicator {
    const r = createReplicator({
      db: device.store.db,
      outbox: deviceOutbox(device.store.db),
      deviceId: device.deviceId,
      storeId: TEST_STORE,
      hqUrl: hq.url,
      clock: () => new Date(),
      log: () => undefined,
      live: false,
      ...extra,
    });
    replicators.push(r);
    return r;
  }

  const price = (device: TestDevice) =>
    (device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?').get(sku) as { price_fen: number }).price_fen;
  const reprice = async (fen: number) => hq.db.query('UPDATE sku SET price_fen = $2 WHERE sku = $1', [sku, fen]);

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
