import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

describe('device migration 4 (sync bookkeeping) on a store with data', () => {
  it('keeps every row of version 3, sales and outbox included, and keeps cursors and dead letters', () => {
    const upgrade = upgradeStore({ from: 3, seed: (db) => seedStoreRows(db, 3) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      db.prepare(
        `INSERT INTO hq_device (device_id, store_id, receipt_code, status, profile) SELECT value, 'loc-S001', 'D1', 'active', '{}' FROM meta WHERE key = 'device_id'`,
      ).run();
      db.prepare(`INSERT INTO sync_cursor (scope, cursor, updated_at) VALUES ('store:loc-S001', '', '2025-01-03T00:00:00.000Z')`).run();
      expect(db.prepare(`SELECT applied, total, done FROM sync_cursor`).get()).toEqual({ applied: 0, total: null, done: 0 });
      // An outbox event written before the upgrade that HQ then rejects moves to the dead-letter list as it was.
      db.prepare(
        `INSERT INTO dead_letter (id, type, payload, staff_id, device_id, store_id, occurred_at, reason, message, rejected_at)
         SELECT id, type, payload, staff_id, device_id, store_id, occurred_at, 'invalid', 'unknown sale', '2025-01-03T00:00:01.000Z'
           FROM outbox WHERE id = '01900000-0000-7000-8000-0000000e0001'`,
      ).run();
      expect(db.prepare(`SELECT payload, staff_id FROM dead_letter WHERE reported_at IS NULL`).all()).toEqual([
        { payload: '{"saleId":"sal-1","totalFen":129900}', staff_id: 'stf-02' },
      ]);
    } finally {
      upgrade.close();
    }
  });
});
