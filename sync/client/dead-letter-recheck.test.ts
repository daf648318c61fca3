import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { enrolAt, testDevice, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);
const newId = uuidv7Generator();

/**
 * A dead letter is not the store's problem for ever: once IT has re-applied it at HQ (HQ fixed,
 * `POST /admin/v1/dead-letters/…/reapply`), the device hears so when it next asks and takes it off
 * its list, so the sync screen's "rejected" count goes back to zero.
 */
describe.each(backends)('dead letters IT re-applied at HQ, on $name', (backend) => {
  let hq: TestHq;
  const devices: TestDevice[] = [];
  const replicators: Replicator[] = [];

  beforeAll(async () => {
    hq = await startTestHq(await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 30, customers: 10 }));
  }, 120_000);
  afterAll(async () => {
    await hq?.close();
    await hq?.db.close();
  });
  afterEach(async () => {
    for (const r of replicators.splice(0)) await r.close();
    for (const d of devices.splice(0)) d.cleanup();
  });

  it('leave the device’s list at its next check, and not before HQ holds them', async () => {
    const device = testDevice();
    devices.push(device);
    await enrolAt(device, hq);
    const r = testReplicator(device, hq.url, { storeId: TEST_STORE, deadLetterRecheckMs: 0 });
    replicators.push(r);
    expect(await r.syncNow()).toMatchObject({ hq: 'online', lastError: null });

    // A paid-in by a new hire HQ does not know yet: rejected (foreign_staff), onto the list, reported.
    const eventId = newId();
    device.store.db
      .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        eventId,
        'cash.paid_in',
        JSON.stringify({ id: newId(), sessionId: newId(), amountFen: 2500, reason: 'float top-up', approvedBy: null }),
        'stf-new-hire',
        device.deviceId,
        TEST_STORE,
        new Date().toISOString(),
      );
    expect(await r.syncNow()).toMatchObject({ pendingEvents: 0, deadLetters: 1, lastError: null });
    // Asked again before IT did anything: still on the list.
    expect(await r.syncNow()).toMatchObject({ deadLetters: 1, lastError: null });

    // HQ gets the new hire; IT re-applies the event, which HQ now records.
    await hq.db.query(
      `INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash) VALUES ('stf-new-hire', $1, 'NEW-1', '新同事', 'cashier', true, 's', 'h')`,
      [TEST_STORE],
    );
    const reapplied = await hq.admin('POST', `/admin/v1/dead-letters/${device.deviceId}/${eventId}/reapply`);
    expect(reapplied.body).toMatchObject({ outcome: 'accepted' });

    expect(await r.syncNow()).toMatchObject({ pendingEvents: 0, deadLetters: 0, lastError: null });
    expect(device.store.db.prepare('SELECT count(*) AS n FROM dead_letter').get()).toEqual({ n: 0 });
    expect(await hq.db.query('SELECT count(*)::int AS n FROM cash_movement WHERE event_id = $1', [eventId])).toEqual([{ n: 1 }]);
  });
});
