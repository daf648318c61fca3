import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { openTestHqDb, TEST_STORE } from '../testing/test-hq.js';
import { raceHeldTransaction } from '../testing/lock-waiter.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';
import { offboardStaff } from './offboarding.js';
import { recordTransfers } from './transfers.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

// Two transactions at once: PGlite runs one at a time, so only PostgreSQL can show the race.
describe.each(backends.filter((b) => b.name === 'postgres'))('offboarding racing a transfer on $name', (backend) => {
  let db: HqDb;
  const now = new Date('2026-03-01T02:00:00.000Z');

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), customers: 40 });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => db?.close());

  /** The store's active guides who hold customers. */
  const guidesWithBooks = () =>
    db.query<{ id: string }>(
      `SELECT s.id FROM staff s WHERE s.store_id = $1 AND s.role = 'guide' AND s.active
          AND EXISTS (SELECT 1 FROM customer c WHERE c.guide_id = s.id) ORDER BY s.id`,
      [TEST_STORE],
    );

  it('never leaves a departed guide holding a customer a concurrent rebalance gave them', async () => {
    const guides = await guidesWithBooks();
    const [leaving, other] = guides;
    const [customer] = await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id LIMIT 1', [other!.id]);

    // The offboarding has deactivated the guide and not committed yet, when a manager's rebalance
    // gives one of another guide's customers to them: it is done already, or waits for the offboarding.
    const batch = await raceHeldTransaction(
      db,
      (sql) => offboardStaff(sql, { staffId: leaving!.id, requestId: 'race-off', rule: 'pool', reason: '离职' }, 'admin', now),
      () =>
        db.tx((sql) =>
          recordTransfers(
            sql,
            {
              requestId: 'race-rebalance',
              kind: 'rebalance',
              storeId: TEST_STORE,
              fromGuideId: null,
              rule: 'explicit',
              reason: 'rebalance',
              takeoverHours: 0,
              createdBy: 'admin',
            },
            [{ customerId: customer!.id, toGuideId: leaving!.id }],
            now,
          ),
        ),
    );

    expect(
      await db.query('SELECT c.id, c.guide_id FROM customer c JOIN staff s ON s.id = c.guide_id WHERE NOT s.active AND c.store_id = $1', [
        TEST_STORE,
      ]),
    ).toEqual([]);
    expect(batch.counts).toMatchObject({ refused: 1, done: 0, waiting: 0 });
    expect(await db.query('SELECT guide_id FROM customer WHERE id = $1', [customer!.id])).toEqual([{ guide_id: other!.id }]);
  });

  it('never hands a book to a successor who is offboarded at the same time', async () => {
    const guides = await guidesWithBooks();
    const [successor, leaving] = guides;
    const book = (await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id', [leaving!.id])).map(
      (c) => c.id,
    );

    // The successor leaves (their book to the pool), not committed yet, when another guide's
    // offboarding names them as successor.
    const second = await raceHeldTransaction(
      db,
      (sql) => offboardStaff(sql, { staffId: successor!.id, requestId: 'race-off-successor', rule: 'pool', reason: '离职' }, 'admin', now),
      () =>
        db
          .tx((sql) =>
            offboardStaff(
              sql,
              { staffId: leaving!.id, requestId: 'race-off-leaving', rule: 'successor', successorId: successor!.id, reason: '离职' },
              'admin',
              now,
            ),
          )
          .then(
            () => 'offboarded',
            (error: unknown) => (error as Error).message,
          ),
    );
    // Refused (the guide still holds their book), or done to an active successor: never a book held by someone gone.
    expect(second).toMatch(/still holds/);
    expect(
      await db.query('SELECT c.id FROM customer c JOIN staff s ON s.id = c.guide_id WHERE NOT s.active AND c.store_id = $1', [TEST_STORE]),
    ).toEqual([]);
    expect(
      (await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id', [leaving!.id])).map((c) => c.id),
    ).toEqual(book);
  });
});
