/**
 * PostgreSQL restarted under a running HQ process and a connected device (a minor-version update,
 * a failover). HQ's LISTEN connections die with it; HQ must listen again by itself, so that an
 * idle device — a guide's tablet that pulls only when nudged, its poll here an hour away — still
 * hears of a later price change at once, and a revocation still closes its channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAt, testDevice, waitForState, testReplicator } from '../client/testing/test-device.js';
import type { TestDevice } from '../client/testing/test-device.js';
import type { Replicator } from '../client/types.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { findPostgresBinaries } from '../testing/postgres-binaries.js';
import { startPostgres } from '../testing/postgres-server.js';
import type { PostgresServer } from '../testing/postgres-server.js';

describe.skipIf(!findPostgresBinaries())('PostgreSQL restarted under HQ and a connected device', () => {
  // A private server, even when DATABASE_URL is set: the test restarts it.
  let pg: PostgresServer;
  let hq: TestHq;
  let device: TestDevice;
  let replicator: Replicator;
  const restored: string[] = [];
  beforeAll(async () => {
    pg = await startPostgres({ fsync: false, lifetimeS: 600 });
    const db = await openTestHqDb({ databaseUrl: await pg.freshDatabase('hq') });
    hq = await startTestHq(db, { log: (message) => restored.push(message) });
    device = testDevice();
    await enrolAt(device, hq, { hostname: 'guide-tablet' });
  }, 180_000);
  afterAll(async () => {
    await replicator?.close();
    device?.cleanup();
    await hq?.close();
    await hq?.db.close();
    await pg?.stop();
  });

  it('a later price change still reaches the device through the live channel, and a revocation closes it', async () => {
    // Only a nudge can bring the change within the test.
    replicator = testReplicator(device, hq.url, { storeId: TEST_STORE, live: true, pollMs: 3_600_000 });
    replicator.start();
    await waitForState(replicator, (s) => s.live === true && s.provisioning?.phase === 'done' && s.lastSyncAt !== null);
    // Idle from here on: the rounds the start asked for are done, and with the channel up nothing is scheduled.
    expect(await replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null, live: true });
    const [{ sku } = { sku: '' }] = await hq.db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1');
    const price = () => (device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?').get(sku) as { price_fen: number }).price_fen;

    const before = pg.pid;
    await pg.restart();
    expect(pg.pid).not.toBe(before);
    const arrived = waitForState(replicator, () => price() === 65432, 30_000, 'the new price');
    await hq.db.query('UPDATE sku SET price_fen = 65432 WHERE sku = $1', [sku]);
    await arrived;
    // The device's channel to HQ never dropped: the nudge came over it.
    expect(replicator.state().live).toBe(true);
    expect(restored.filter((m) => m.includes('listener back'))).not.toEqual([]);

    const revoked = waitForState(replicator, (s) => s.hq === 'revoked', 30_000, 'revoked');
    expect((await hq.admin('POST', `/admin/v1/devices/${device.deviceId}/revoke`)).status).toBe(200);
    await revoked;
  });
});
