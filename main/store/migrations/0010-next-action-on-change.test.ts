import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import nextActionOnChange from './0010-next-action-on-change.js';

const from = nextActionOnChange.version - 1;

describe('device migration 10 (a task’s update recomputes the next action only when it changes) on a store with data', () => {
  it('keeps every row; an update of what the next action is not made of writes the task alone, any other recomputes it', () => {
    const upgrade = upgradeStore({ from, seed: (db) => seedStoreRows(db, from) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);

      const next = () => db.prepare(`SELECT customer_id, due_at, guide_id FROM customer_next ORDER BY customer_id`).all();
      /** Rows the statement changed, its triggers' included (SQLite's total_changes()). */
      const written = (sql: string) => {
        const before = db.prepare('SELECT total_changes()').pluck().get() as number;
        db.prepare(sql).run();
        return (db.prepare('SELECT total_changes()').pluck().get() as number) - before;
      };
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: 'stf-04' }]);

      // What a page from HQ writes when a task moves with its customer, or is renamed: the task row only.
      expect(written(`UPDATE customer_task SET guide_id = 'stf-01', name_en = 'Day-15 call', outcome = NULL WHERE id = 'tsk-2'`)).toBe(1);
      // The same values written again, every column named (the page's upsert): the task row only.
      expect(
        written(
          `INSERT INTO customer_task SELECT * FROM customer_task WHERE id = 'tsk-2' ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id,
             status = excluded.status, due_at = excluded.due_at, snoozed_until = excluded.snoozed_until, guide_id = excluded.guide_id`,
        ),
      ).toBe(1);
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: 'stf-04' }]);

      // Each of the four: recomputed (the task, then the old customer's row and the new one's, a delete and an insert each).
      expect(written(`UPDATE customer_task SET snoozed_until = '2025-01-25T00:00:00.000Z' WHERE id = 'tsk-2'`)).toBe(5);
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-25T00:00:00.000Z', guide_id: 'stf-04' }]);
      expect(written(`UPDATE customer_task SET status = 'open' WHERE id = 'tsk-2'`)).toBe(5);
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-17T00:00:00.000Z', guide_id: 'stf-04' }]);
      expect(written(`UPDATE customer_task SET due_at = '2025-01-18T00:00:00.000Z' WHERE id = 'tsk-2'`)).toBe(5);
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-18T00:00:00.000Z', guide_id: 'stf-04' }]);
      db.prepare(
        `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
         VALUES ('cus-9', 'loc-S001', '新', '13700000009', 'blue', 0, NULL, '2025-01-11T00:00:00.000Z')`,
      ).run();
      // The task, cus-1's row gone (no other open task), cus-9's made.
      expect(written(`UPDATE customer_task SET customer_id = 'cus-9' WHERE id = 'tsk-2'`)).toBe(3);
      expect(next()).toEqual([{ customer_id: 'cus-9', due_at: '2025-01-18T00:00:00.000Z', guide_id: null }]);
      expect(written(`UPDATE customer_task SET status = 'done' WHERE id = 'tsk-2'`)).toBe(2);
      expect(next()).toEqual([]);
    } finally {
      upgrade.close();
    }
  });
});
