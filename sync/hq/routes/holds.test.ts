import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthedDevice } from '../context.js';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { eventId } from '../testing/push-fixture.js';
import { openTestHqDb, TEST_STORE } from '../testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';
import { holdRedemptions } from './holds.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-06-10T04:00:00.000Z');

describe.each(backends)('holds at HQ on $name', (backend) => {
  let db: HqDb;
  let device: AuthedDevice;
  let theirs: string;

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), customers: 20 });
    const id = eventId();
    await db.query(
      `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES ($1, $2, 'k', 'HD', 't', 'h')`,
      [id, TEST_STORE],
    );
    device = { id, storeId: TEST_STORE, brand: 'SFL', receiptCode: 'HD', scopes: [] };
    theirs = (await db.query<{ id: string }>('SELECT id FROM customer WHERE store_id <> $1 ORDER BY id LIMIT 1', [TEST_STORE]))[0]!.id;
    await db.query('UPDATE customer SET points = 1500 WHERE id = $1', [theirs]);
    await db.query(
      `INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, valid_from, valid_until)
       SELECT 'CPN-THEIRS', l.brand, c.id, 'amount', '券', 'Coupon', 3000, '2026-01-01', '2027-01-01'
         FROM customer c JOIN location l ON l.id = c.store_id WHERE c.id = $1`,
      [theirs],
    );
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => db?.close());

  it('holds nothing of another store’s member and does not tell their balance', async () => {
    const answer = await db.tx((sql) =>
      holdRedemptions(sql, device, { cartId: 'cart-1', customerId: theirs, coupons: ['CPN-THEIRS'], points: 1000 }, NOW),
    );
    expect(answer).toMatchObject({ held: false, pointsAvailable: null });
    expect(answer.refused.map((r) => r.reason)).toEqual(['not_member']);
    expect(await db.query('SELECT kind, key FROM redemption_hold')).toEqual([]);
    // Not where their coupon was used either: the member is refused before their coupons are read.
    await db.query(
      `UPDATE coupon SET hq_status = 'used', redeemed_store_id = (SELECT store_id FROM customer WHERE id = $1) WHERE code = 'CPN-THEIRS'`,
      [theirs],
    );
    const again = await db.tx((sql) =>
      holdRedemptions(sql, device, { cartId: 'cart-1', customerId: theirs, coupons: ['CPN-THEIRS'], points: 0 }, NOW),
    );
    expect(again.refused).toEqual([{ code: null, reason: 'not_member', detail: expect.not.stringContaining('CPN-THEIRS') }]);
  });
});
