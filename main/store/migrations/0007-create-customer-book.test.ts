import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows, seedVersionRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import customerBook from './0007-create-customer-book.js';

const from = customerBook.version - 1;

describe('device migration customer-book on a store with data', () => {
  it('keeps every row, takes HQ’s rows of the book, and answers the guide’s searches from indexes', () => {
    const upgrade = upgradeStore({ from, seed: (db) => seedStoreRows(db, from) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      // The customers that were on the device get their book as HQ feeds it; the old rows are untouched.
      seedVersionRows(db, customerBook.version);
      expect(db.prepare(`SELECT c.name, p.sizes FROM customer c JOIN customer_profile p ON p.customer_id = c.id`).all()).toEqual([
        { name: '王小明', sizes: 'M' },
      ]);
      // A pending new member keeps its name and phone beside HQ's columns.
      expect(db.prepare(`SELECT status, name FROM customer_request`).get()).toEqual({ status: 'pending', name: '赵新' });
      expect(() => db.prepare(`UPDATE customer_request SET status = 'maybe'`).run()).toThrow(/CHECK constraint/);

      // The next action follows the tasks, whoever writes them: a snoozed task counts from when it wakes.
      const next = () => db.prepare(`SELECT customer_id, due_at FROM customer_next`).all();
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z' }]);
      db.prepare(`UPDATE customer_task SET status = 'open' WHERE id = 'tsk-2'`).run();
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-17T00:00:00.000Z' }]);
      db.prepare(`DELETE FROM customer_task WHERE id = 'tsk-2'`).run();
      expect(next()).toEqual([]);

      const plan = (sql: string) => JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all());
      expect(plan(`SELECT id FROM customer WHERE store_id = 'loc-S001' AND substr(phone, -4) = '8000'`)).toContain('customer_phone_suffix');
      expect(plan(`SELECT id FROM customer WHERE store_id = 'loc-S001' AND name >= '王' AND name < '王\uffff'`)).toContain(
        'customer_store_name',
      );
      expect(plan(`SELECT customer_id FROM customer_tag WHERE store_id = 'loc-S001' AND tag = 'VIP'`)).toContain('customer_tag_tag');
    } finally {
      upgrade.close();
    }
  });
});
