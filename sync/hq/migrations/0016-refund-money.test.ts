import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import refundMoney from './0016-refund-money.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration refund-money on $name', (backend) => {
  it('keeps every row, gives the tenders there no method stood for, and indexes the returns of a sale', async () => {
    const upgrade = await upgradeHq(backend, { from: refundMoney.version - 1, seed: (db) => seedHqRows(db, 9) });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      const tenders = await db.query<{ instead_of: string | null }>('SELECT instead_of FROM sale_tender');
      expect(tenders.length).toBeGreaterThan(0);
      expect(tenders.every((t) => t.instead_of === null)).toBe(true);
      expect(await db.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'sale_original'`)).toEqual([
        { indexdef: expect.stringMatching(/ON public\.sale USING btree \(original_sale_id\) WHERE \(original_sale_id IS NOT NULL\)/) },
      ]);
      // An exception is a refund paid another way or beyond its money; a row that is neither is refused.
      const insert = (insteadOf: string | null, unfunded: number) =>
        db.query(
          `INSERT INTO refund_exception (event_id, n, sale_id, store_id, business_day, original_sale_id, method, instead_of, amount_fen, unfunded_fen, detail)
           VALUES (gen_random_uuid(), 1, 's', 'loc-S001', '2026-11-20', 'o', 'cash', $1, 100, $2, 'd')`,
          [insteadOf, unfunded],
        );
      await insert('card', 0);
      await insert(null, 100);
      await expect(insert(null, 0)).rejects.toThrow(/check constraint/);
      await expect(insert('card', 101)).rejects.toThrow(/check constraint/);
    } finally {
      await upgrade.close();
    }
  });
});
