import { describe, expect, it } from 'vitest';
import { PaymentIntents } from '../../checkout/payment-intents.js';
import { PaymentRecovery } from '../../checkout/payment-recovery.js';
import { sandboxPaymentProvider } from '../../checkout/payments.js';
import { TillLease } from '../../checkout/till-lease.js';
import { emptyTables, seedStoreRows, seedVersionRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import { uuidv7Generator } from '../../../sync/protocol/uuidv7.js';
import { readOutbox } from '../outbox.js';
import paymentIntentOwner from './0014-payment-intent-owner.js';

const from = paymentIntentOwner.version - 1;
const LOST = '01900000-0000-7000-8000-0000000c0009';

describe('device migration 14 (payment intents owned by a till instance, and the tills’ leases) on a store with data', () => {
  it('keeps every row; a charge left open by the app before it has no owner and is still given back by any till', async () => {
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

      const clock = () => new Date(Date.UTC(2025, 0, 3, 2));
      const newId = uuidv7Generator(() => clock().getTime());
      const lease = new TillLease(db, clock, newId);
      const reversals: string[] = [];
      const sandbox = sandboxPaymentProvider();
      const recovery = new PaymentRecovery({
        intents: new PaymentIntents(db, clock, lease.id),
        payments: { ...sandbox, reverse: (r) => (reversals.push(r.requestId), sandbox.reverse(r)) },
        outbox: { db, newId, clock, deviceId: 'dev-1', storeId: 'loc-S001' },
        isOnline: () => true,
        inCart: () => false,
        paying: () => false,
        lease,
        log: () => undefined,
      });
      expect(await recovery.run()).toBe(0);
      expect(reversals).toEqual([LOST]);
      expect(db.prepare('SELECT state FROM payment_intent WHERE id = ?').pluck().get(LOST)).toBe('reversed');
      expect(readOutbox(db, 100).filter((e) => e.type === 'device.payment_reversed')).toHaveLength(1);

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
