/**
 * Enrolment through a network that loses HQ's answer: HQ has enrolled the device (the one-time
 * code is spent), the device never heard. Asking again with the same code must give the same
 * answer — not "this code was already used", which would strand the device until IT makes a new code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../client/identity.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import { startChaosProxy } from '../testing/chaos-proxy.js';
import { deviceReplicator, emptyDevice, enrolThrough, settled, syncUntil } from './fault-device.js';
import { oneConnectionFetch } from './one-connection-fetch.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

describe.each(backends)('enrolment when HQ’s answer is lost, on $name', (backend) => {
  it('retries with the same code and the same key, and gets the same enrolment', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 20, customers: 5 });
    const hq = await startTestHq(db);
    // The first connection reaches HQ, HQ commits the enrolment, and its answer is dropped.
    const proxy = await startChaosProxy({
      upstream: { host: '127.0.0.1', port: hq.port },
      policy: (n) => (n === 0 ? { kind: 'drop_response' } : { kind: 'pass' }),
    });
    const device = emptyDevice();
    try {
      const attempts = await enrolThrough(device, proxy.url, await hq.enrolment(), { fetch: oneConnectionFetch });
      expect(attempts).toBe(2);
      expect(proxy.stats.byFault.drop_response).toBe(1);
      const identity = readIdentity(device.pos.store.db);
      expect(identity).toMatchObject({ deviceId: device.deviceId, storeId: TEST_STORE });
      const [row] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM device WHERE id = $1', [device.deviceId]);
      expect(Number(row?.n)).toBe(1);
      // The key the device kept is the one HQ enrolled: its signed requests are accepted.
      const r = deviceReplicator(device, proxy.url, { fetch: oneConnectionFetch });
      try {
        expect(await syncUntil(r, settled, 3, 'first sync after enrolment')).toMatchObject({ hq: 'online' });
      } finally {
        await r.close();
      }
    } finally {
      device.cleanup();
      await proxy.close();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  });
});
