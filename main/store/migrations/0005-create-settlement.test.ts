import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

describe('device migration 5 (settlement of coupons and points) on a store with data', () => {
  it('keeps every row of version 4, and takes the store policy and HQ settlements the feed brings', () => {
    const upgrade = upgradeStore({ from: 4, seed: (db) => seedStoreRows(db, 4) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      db.prepare(`INSERT INTO store_policy VALUES ('loc-S001', 'limit', 5000, 2)`).run();
      expect(() => db.prepare(`INSERT INTO store_policy VALUES ('loc-S002', 'sometimes', 0, 0)`).run()).toThrow(/CHECK/);
      // A settlement of a sale written before the upgrade (its spend is no longer the device's to count).
      const sale = db.prepare('SELECT id, customer_id FROM sale LIMIT 1').get() as { id: string; customer_id: string | null };
      db.prepare(`INSERT INTO sale_settlement VALUES (?, ?, 0, 12, NULL, 0, '2025-01-04T00:00:00.000Z')`).run(sale.id, sale.customer_id);
      expect(db.prepare('SELECT count(*) AS n FROM sale_settlement s JOIN sale ON sale.id = s.sale_id').get()).toEqual({ n: 1 });
    } finally {
      upgrade.close();
    }
  });
});
