import type { Migration } from '../migrate.js';

/**
 * Each guide's own order of next actions: `customer_next` carries the customer's guide beside
 * the due time, indexed (guide, due), so that a guide's list walks only their own customers with
 * an open task.
 *
 * Why: a guide's search by a tag walked the whole store's next actions in due order (5,238 of a
 * 50,000-customer store in the bench) and probed each for the guide and the tag; where the guide's
 * book holds few of the tag's wearers with a task, the walk read them all and found less than a
 * page (`dormant_720`: 18 of 5,238). Walking the guide's own 880 reads at most those.
 *
 * The guide is the customer's: the task triggers read it when they write a customer's next action,
 * and two customer triggers keep it when the customer arrives after their tasks (a pull's page
 * order) or changes guide (a binding, an offboarding: one update of a row by its key per
 * customer who has an open task). A task's own `guide_id` is not it: HQ moves a customer's tasks
 * with the customer, but the list is the book's, and the book is `customer.guide_id`.
 *
 * Additive: a new column, filled from `customer` for the rows there are, and the triggers of 7
 * made again with it. Nothing else reads `customer_next`.
 */
const VERSION = 9;

/** Recomputes one customer's next action (`row`: NEW or OLD of a customer_task trigger), with the customer's guide. */
const next = (row: 'NEW' | 'OLD') => `
        DELETE FROM customer_next WHERE customer_id = ${row}.customer_id;
        INSERT INTO customer_next (customer_id, due_at, guide_id)
          SELECT customer_id, min(CASE WHEN status = 'snoozed' THEN coalesce(snoozed_until, due_at) ELSE due_at END),
                 (SELECT c.guide_id FROM customer c WHERE c.id = ${row}.customer_id)
            FROM customer_task WHERE customer_id = ${row}.customer_id AND status IN ('open', 'snoozed') GROUP BY customer_id;`;

const migration: Migration = {
  version: VERSION,
  name: 'guide-next-actions',
  up: (db) => {
    db.exec(`
      ALTER TABLE customer_next ADD COLUMN guide_id TEXT;
      UPDATE customer_next SET guide_id = (SELECT c.guide_id FROM customer c WHERE c.id = customer_next.customer_id);
      CREATE INDEX customer_next_guide_due ON customer_next(guide_id, due_at, customer_id);

      DROP TRIGGER customer_next_insert;
      DROP TRIGGER customer_next_update;
      DROP TRIGGER customer_next_delete;
      CREATE TRIGGER customer_next_insert AFTER INSERT ON customer_task BEGIN
        ${next('NEW')}
      END;
      CREATE TRIGGER customer_next_update AFTER UPDATE ON customer_task BEGIN
        ${next('OLD')}
        ${next('NEW')}
      END;
      CREATE TRIGGER customer_next_delete AFTER DELETE ON customer_task BEGIN
        ${next('OLD')}
      END;

      CREATE TRIGGER customer_next_guide_arrives AFTER INSERT ON customer BEGIN
        UPDATE customer_next SET guide_id = NEW.guide_id WHERE customer_id = NEW.id;
      END;
      CREATE TRIGGER customer_next_guide_moves AFTER UPDATE OF guide_id ON customer WHEN OLD.guide_id IS NOT NEW.guide_id BEGIN
        UPDATE customer_next SET guide_id = NEW.guide_id WHERE customer_id = NEW.id;
      END;
    `);
  },
};

export default migration;
