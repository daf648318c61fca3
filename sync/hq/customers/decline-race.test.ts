import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { openTestHqDb, TEST_STORE } from '../testing/test-hq.js';
import { raceHeldTransaction } from '../testing/lock-waiter.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';
import { declineTransfer, recordTransfers } from './transfers.js';
import type { TransferBatch } from './transfers.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

// Two transactions at once: PGlite runs one at a time, so only PostgreSQL can show the race.
describe.each(backends.filter((b) => b.name === 'postgres'))('a decline racing a transfer on $name', (backend) => {
  let db: HqDb;
  const now = new Date('2026-03-01T02:00:00.000Z');

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), customers: 40 });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => db?.close());

  const batch = (requestId: string): TransferBatch => ({
    requestId,
    kind: 'rebalance',
    storeId: TEST_STORE,
    fromGuideId: null,
    rule: 'explicit',
    reason: 'rebalance',
    takeoverHours: 24,
    createdBy: 'admin',
  });

  it('keeps a customer’s takeover mark true to the transfer still waiting for them', async () => {
    const [a, b, c] = await db.query<{ id: string }>(
      `SELECT id FROM staff WHERE store_id = $1 AND role = 'guide' AND active ORDER BY id LIMIT 3`,
      [TEST_STORE],
    );
    const [customer] = await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id LIMIT 1', [a!.id]);
    const id = customer!.id;
    await db.tx((sql) => recordTransfers(sql, batch('first'), [{ customerId: id, toGuideId: b!.id }], now));

    // A second move (to c) is made and not committed yet, when the customer's decline of the first arrives.
    await raceHeldTransaction(
      db,
      (sql) => recordTransfers(sql, batch('second'), [{ customerId: id, toGuideId: c!.id }], now),
      () => db.tx((sql) => declineTransfer(sql, id, 'admin', now)),
    );

    const [state] = await db.query<{ guide_id: string | null; takeover_from: string | null }>(
      'SELECT c.guide_id, p.takeover_from FROM customer c JOIN customer_profile p ON p.customer_id = c.id WHERE c.id = $1',
      [id],
    );
    const waiting = await db.query<{ from_guide_id: string }>(
      `SELECT from_guide_id FROM customer_transfer WHERE customer_id = $1 AND status = 'waiting' AND to_guide_id IS NOT DISTINCT FROM $2`,
      [id, state!.guide_id],
    );
    // Whoever serves the customer now: "taking over" exactly while a transfer to them is waiting, from its guide.
    expect(state!.takeover_from).toBe(waiting[0]?.from_guide_id ?? null);
  });
});
