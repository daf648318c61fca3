import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows, seedVersionRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import phoneRevealCount from './0011-phone-reveal-count.js';

const from = phoneRevealCount.version - 1;

describe('device migration 11 (the device-local count of phone reveals) on a store with data', () => {
  it('keeps every row and adds an empty phone_reveal that takes one row per counted reveal', () => {
    const upgrade = upgradeStore({ from, seed: (db) => seedStoreRows(db, from) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.prepare('SELECT count(*) FROM phone_reveal').pluck().get()).toBe(0);
      seedVersionRows(db, phoneRevealCount.version);
      expect(db.prepare('SELECT staff_id, customer_id, at FROM phone_reveal').all()).toEqual([
        { staff_id: 'stf-01', customer_id: 'cus-1', at: '2025-01-03T04:00:00.000Z' },
      ]);
      // The same reveal twice at the same instant is one row.
      expect(() =>
        db.prepare(`INSERT INTO phone_reveal (staff_id, customer_id, at) VALUES ('stf-01', 'cus-1', '2025-01-03T04:00:00.000Z')`).run(),
      ).toThrow(/UNIQUE|PRIMARY KEY/);
    } finally {
      upgrade.close();
    }
  });
});
