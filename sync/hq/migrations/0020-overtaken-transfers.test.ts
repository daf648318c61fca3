import { afterAll, describe, expect, it } from 'vitest';
import { declineTransfer, settleTransfers, TransferError } from '../customers/transfers.js';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { HQ_MIGRATIONS } from './index.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/**
 * Transfers waiting in their takeover window when HQ is upgraded past migration 0020, whose
 * customer another guide already had (a scan, a later transfer, a store move before the upgrade):
 * 0020's trigger only sees changes of guide after it, so these stayed `waiting`.
 */
describe.each(backends)('transfers overtaken before the upgrade to HQ migration 0020, on $name', (backend) => {
  it('are not declined from under the guide who has the customer, nor settled done', async () => {
    const upgrade = await upgradeHq(backend, {
      from: 19,
      to: HQ_MIGRATIONS.length,
      seed: async (db) => {
        await seedHqRows(db, 9);
        // cus-1 went to stf-01 with a 24-hour window; before the upgrade stf-04 bound them again (the customer row says so).
        await db.exec(`
          INSERT INTO transfer_batch (request_id, kind, store_id, from_guide_id, rule, reason, takeover_hours, created_by, created_at, customers)
            VALUES ('trf-old', 'rebalance', 'loc-S001', 'stf-04', 'explicit', 'rebalance', 24, 'admin', '2026-12-01T00:00:00Z', 1);
          INSERT INTO customer_transfer (request_id, n, customer_id, kind, from_guide_id, to_guide_id, status, reason, created_at, complete_after)
            VALUES ('trf-old', 1, 'cus-1', 'rebalance', 'stf-04', 'stf-01', 'waiting', 'rebalance', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z');
        `);
      },
    });
    const { db } = upgrade;
    try {
      expect(await db.query(`SELECT guide_id FROM customer WHERE id = 'cus-1'`)).toEqual([{ guide_id: 'stf-04' }]);
      // Within the window the customer "declines": there is nothing to decline, and stf-04 keeps them.
      const inWindow = new Date('2026-12-01T12:00:00Z');
      const declined = db.tx((sql) => declineTransfer(sql, 'cus-1', 'admin', inWindow));
      await expect(declined).rejects.toThrow(TransferError);
      await expect(declined).rejects.toThrow(/409|nothing to decline/);
      expect(await db.query(`SELECT guide_id FROM customer WHERE id = 'cus-1'`)).toEqual([{ guide_id: 'stf-04' }]);
      // Past the window it is not settled as done: another guide had the customer.
      await db.tx((sql) => settleTransfers(sql, new Date('2026-12-03T00:00:00Z')));
      expect(await db.query(`SELECT status FROM customer_transfer WHERE request_id = 'trf-old'`)).toEqual([{ status: 'overtaken' }]);
    } finally {
      await upgrade.close();
    }
  });
});
