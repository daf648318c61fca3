import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import guideNextActions from './0009-guide-next-actions.js';

const from = guideNextActions.version - 1;

const TASK = `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at,
                                         status, snoozed_until, outcome, done_at)
              VALUES (?, 'loc-S001', NULL, ?, 'follow_up_3', '3天回访', 'Day-3 follow-up', '', '', NULL, ?, 'open', NULL, NULL, NULL)`;

describe('device migration 9 (each guide’s own order of next actions) on a store with data', () => {
  it('keeps every row, gives each next action its customer’s guide, and keeps it whatever changes first', () => {
    const upgrade = upgradeStore({ from, seed: (db) => seedStoreRows(db, from) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      const next = () => db.prepare(`SELECT customer_id, due_at, guide_id FROM customer_next ORDER BY customer_id`).all();
      // The row version 7 made, filled from its customer: the snoozed task counts from when it wakes.
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: 'stf-04' }]);

      // The customer changes guide (a binding, an offboarding), and goes to the pool.
      db.prepare(`UPDATE customer SET guide_id = 'stf-01' WHERE id = 'cus-1'`).run();
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: 'stf-01' }]);
      db.prepare(`UPDATE customer SET guide_id = NULL WHERE id = 'cus-1'`).run();
      expect(next()).toEqual([{ customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: null }]);

      // A task for a pool customer, who is then bound; the task's own guide is not the book's.
      db.prepare(TASK).run('tsk-3', 'cus-2', '2025-01-10T00:00:00.000Z');
      expect(next()).toContainEqual({ customer_id: 'cus-2', due_at: '2025-01-10T00:00:00.000Z', guide_id: null });
      db.prepare(`UPDATE customer SET guide_id = 'stf-04' WHERE id = 'cus-2'`).run();
      expect(next()).toContainEqual({ customer_id: 'cus-2', due_at: '2025-01-10T00:00:00.000Z', guide_id: 'stf-04' });

      // A task a page brought before its customer: the customer's row brings the guide.
      db.prepare(TASK).run('tsk-4', 'cus-3', '2025-01-11T00:00:00.000Z');
      expect(next()).toContainEqual({ customer_id: 'cus-3', due_at: '2025-01-11T00:00:00.000Z', guide_id: null });
      db.prepare(
        `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
         VALUES ('cus-3', 'loc-S001', '晚到', '13700000001', 'blue', 0, 'stf-04', '2025-01-11T00:00:00.000Z')`,
      ).run();
      expect(next()).toContainEqual({ customer_id: 'cus-3', due_at: '2025-01-11T00:00:00.000Z', guide_id: 'stf-04' });

      // The task triggers of 7 still follow the tasks, now with the guide.
      db.prepare(`UPDATE customer_task SET status = 'done' WHERE id = 'tsk-3'`).run();
      db.prepare(`UPDATE customer_task SET due_at = '2025-01-12T00:00:00.000Z' WHERE id = 'tsk-4'`).run();
      expect(next()).toEqual([
        { customer_id: 'cus-1', due_at: '2025-01-20T00:00:00.000Z', guide_id: null },
        { customer_id: 'cus-3', due_at: '2025-01-12T00:00:00.000Z', guide_id: 'stf-04' },
      ]);

      // A guide's list walks the guide's own next actions in the index's order: no sort, no other guide's rows read.
      const plan = JSON.stringify(
        db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT c.id FROM customer_next n CROSS JOIN customer c ON c.id = n.customer_id
              WHERE n.guide_id = 'stf-04' AND c.store_id = 'loc-S001' AND c.guide_id = 'stf-04' ORDER BY n.due_at, n.customer_id LIMIT 20`,
          )
          .all(),
      );
      expect(plan).toContain('customer_next_guide_due (guide_id=?)');
      expect(plan).not.toContain('TEMP B-TREE');
    } finally {
      upgrade.close();
    }
  });
});
