import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows, seedVersionRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import paymentIntentOwner from './0014-payment-intent-owner.js';

const from = paymentIntentOwner.version - 1;
const LOST = '01900000-0000-7000-8000-0000000c0009';

describe('device migration 14 (payment intents owned by a till instance, and the tills’ leases) on a store with data', () => {
  it('keeps every row: a charge left open by the app before it has no owner, and no till holds a lease yet', () => {
    const upgrade = upgradeStore({
      from,
      seed: (db) => {
        seedStoreRows(db, from);
        // A WeChat charge the old app took for a cart it lost (it died before the sale was recorded).
        db.exec(`
          INSERT INTO payment_intent (id, cart_id, kind, method, amount_fen, original_ref, state, provider_ref, sale_id, detail, created_at, updated_at)
            VALUES ('${LOST}', 'cart-9', 'charge', 'wechat', 8800, NULL, 'paid', 'WX-9', NULL, NULL, '2025-01-03T01:00:00.000Z', '2025-01-03T01:00:01.000Z');
        `);
      },
    });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.prepare('SELECT count(*) FROM payment_intent WHERE owner IS NOT NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM till_lease').pluck().get()).toBe(0);

      // The representative rows of version 14 go in as the schema now is.
      seedVersionRows(db, paymentIntentOwner.version);
      expect(db.prepare("SELECT owner FROM payment_intent WHERE cart_id = 'cart-2'").pluck().get()).toBe(
        '01900000-0000-7000-8000-0000000b0001',
      );
    } finally {
      upgrade.close();
    }
  });
});
