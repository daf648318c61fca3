import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { CUSTOMER_BOOK_KINDS } from '../../protocol/customer-book-entities.js';
import customerBook from './0005-customer-book.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = customerBook.version - 1;

describe.each(backends)('HQ migration customer-book on $name', (backend) => {
  it('keeps every row, gives every customer a profile and a binding that reach their store, and guards deactivation', async () => {
    const upgrade = await upgradeHq(backend, { from, seed: (db) => seedHqRows(db, from) });
    const { db } = upgrade;
    try {
      // Every row is kept; the change log only gains the new kinds' rows (the backfilled profiles).
      const now = await upgrade.rowsNow();
      const kinds: readonly string[] = CUSTOMER_BOOK_KINDS;
      now.change = (now.change ?? []).filter((r) => !kinds.includes(r.kind as string));
      expect(now).toEqual(upgrade.before);
      // Every existing customer has a profile, fed to its store's devices; a bound one has been bound from the beginning.
      expect(await db.query(`SELECT customer_id, store_id, bound_at IS NOT NULL AS bound FROM customer_profile ORDER BY 1`)).toEqual([
        { customer_id: 'cus-1', store_id: 'loc-S001', bound: true },
        { customer_id: 'cus-2', store_id: 'loc-S002', bound: false },
      ]);
      expect(await db.query(`SELECT scope, key FROM change WHERE kind = 'customer_profile' ORDER BY key`)).toEqual([
        { scope: 'store:loc-S001', key: 'cus-1' },
        { scope: 'store:loc-S002', key: 'cus-2' },
      ]);
      expect(await db.query(`SELECT customer_id, guide_id, valid_from::text AS "from", valid_to FROM customer_binding`)).toEqual([
        { customer_id: 'cus-1', guide_id: 'stf-04', from: '-infinity', valid_to: null },
      ]);

      // A guide change closes the binding and opens the next, with a protection period; the device hears of it.
      await db.query(`UPDATE customer SET guide_id = 'stf-01' WHERE id = 'cus-1'`);
      const bindings = await db.query<{ guide_id: string; open: boolean }>(
        `SELECT guide_id, valid_to IS NULL AS open FROM customer_binding WHERE customer_id = 'cus-1' ORDER BY valid_from`,
      );
      expect(bindings).toEqual([
        { guide_id: 'stf-04', open: false },
        { guide_id: 'stf-01', open: true },
      ]);
      const [profile] = await db.query<{ days: number }>(
        `SELECT round(extract(epoch FROM protected_until - bound_at) / 86400)::int AS days FROM customer_profile WHERE customer_id = 'cus-1'`,
      );
      expect(profile?.days).toBe(90);

      // A guide who holds customers cannot be deactivated; once they hold none, they can.
      await expect(db.query(`UPDATE staff SET active = false WHERE id = 'stf-01'`)).rejects.toMatchObject({ code: '23514' });
      await expect(db.query(`UPDATE staff SET active = false WHERE id = 'stf-01'`)).rejects.toThrow(/holds 1 customer/);
      await db.query(`UPDATE customer SET guide_id = NULL WHERE id = 'cus-1'`);
      await db.query(`UPDATE staff SET active = false WHERE id = 'stf-01'`);
      expect(await db.query(`SELECT active FROM staff WHERE id = 'stf-01'`)).toEqual([{ active: false }]);

      // A new customer gets a profile at once; a move to another store takes the book along, tombstoned where it was.
      await db.query(
        `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES ('cus-3', 'loc-S001', '李', '13700137000', 'blue', 0, NULL, now())`,
      );
      await db.query(
        `INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at) VALUES ('n-3', 'cus-3', 'loc-S001', 'stf-02', 'x', now())`,
      );
      await db.query(`UPDATE customer SET store_id = 'loc-S002' WHERE id = 'cus-3'`);
      expect(await db.query(`SELECT store_id FROM customer_note WHERE id = 'n-3'`)).toEqual([{ store_id: 'loc-S002' }]);
      expect(
        await db.query(`SELECT scope, deleted FROM change WHERE kind = 'customer_note' AND key = 'n-3' ORDER BY scope COLLATE "C"`),
      ).toEqual([
        { scope: 'store:loc-S001', deleted: true },
        { scope: 'store:loc-S002', deleted: false },
      ]);
    } finally {
      await upgrade.close();
    }
  });
});
