import type { Migration } from '../migrate.js';

/**
 * A task's update recomputes its customer's next action only when what the next action is made of
 * changed: the task's customer, status, due time or snooze.
 *
 * Why: the trigger of 9 recomputed it (two deletes and two grouped inserts) at every update of a
 * task, whatever the update changed. A page from HQ writes every column of a task it sends, and an
 * offboarding sends each moved customer's open tasks with their new guide: a page of 5,000 of them
 * took 129–136 ms on an encrypted store of 50,000 customers, more than half of it this trigger,
 * for next actions that had not changed (the guide beside each is the customer's, which the
 * customer's own trigger keeps). With the condition: 58–62 ms (median of 6, three runs
 * alternating).
 *
 * Only the update trigger changes; its body is 9's.
 */
const VERSION = 10;

/** Recomputes one customer's next action (`row`: NEW or OLD of a customer_task trigger), with the customer's guide. */
const next = (row: 'NEW' | 'OLD') => `
        DELETE FROM customer_next WHERE customer_id = ${row}.customer_id;
        INSERT INTO customer_next (customer_id, due_at, guide_id)
          SELECT customer_id, min(CASE WHEN status = 'snoozed' THEN coalesce(snoozed_until, due_at) ELSE due_at END),
                 (SELECT c.guide_id FROM customer c WHERE c.id = ${row}.customer_id)
            FROM customer_task WHERE customer_id = ${row}.customer_id AND status IN ('open', 'snoozed') GROUP BY customer_id;`;

const migration: Migration = {
  version: VERSION,
  name: 'next-action-on-change',
  up: (db) => {
    db.exec(`
      DROP TRIGGER customer_next_update;
      CREATE TRIGGER customer_next_update AFTER UPDATE ON customer_task
        WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.status IS NOT NEW.status OR OLD.due_at IS NOT NEW.due_at
          OR OLD.snoozed_until IS NOT NEW.snoozed_until
      BEGIN
        ${next('OLD')}
        ${next('NEW')}
      END;
    `);
  },
};

export default migration;
