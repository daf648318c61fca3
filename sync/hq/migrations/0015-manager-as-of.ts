import type { HqMigration } from '../migrate.js';

/**
 * A staff member's role as of when something happened, beside their store: `staff_assignment`
 * gets the role, and its trigger draws a line in time at a change of role as it does at a move.
 *
 * Why: a cash movement approved offline by the store's manager was checked against the approver's
 * role today. A manager HQ made a cashier between the approval and the till's next push got the
 * paid-out refused (`foreign_staff`): a fact judged by what changed after it happened. The check
 * (sync/hq/push/check-facts.ts) now reads the role of the assignment that held at `occurred_at`.
 *
 * The rows there are take each staff member's role today: HQ kept no earlier one. Additive: a
 * column filled in place on a table of one row per staff member and move, and the function and
 * trigger of 0002 made again. An HQ of the version before, running beside this one during an
 * upgrade, still checks today's role; the rows it writes through the trigger carry the role.
 */
const migration: HqMigration = {
  version: 15,
  name: 'manager-as-of',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE staff_assignment ADD COLUMN role text;
      UPDATE staff_assignment a SET role = s.role FROM staff s WHERE s.id = a.staff_id;
      ALTER TABLE staff_assignment ALTER COLUMN role SET NOT NULL;

      CREATE OR REPLACE FUNCTION sf_staff_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A new staff member has worked nowhere else: their first store and role hold from the
        -- beginning (a device's clock may be behind HQ's). Only a move or a new role draws a line in time.
        IF TG_OP = 'INSERT' THEN
          INSERT INTO staff_assignment (staff_id, store_id, role, valid_from) VALUES (NEW.id, NEW.store_id, NEW.role, '-infinity')
            ON CONFLICT (staff_id, valid_from) DO NOTHING;
          RETURN NULL;
        END IF;
        IF NEW.store_id IS NOT DISTINCT FROM OLD.store_id AND NEW.role IS NOT DISTINCT FROM OLD.role THEN RETURN NULL; END IF;
        UPDATE staff_assignment SET valid_to = now() WHERE staff_id = NEW.id AND valid_to IS NULL;
        INSERT INTO staff_assignment (staff_id, store_id, role, valid_from) VALUES (NEW.id, NEW.store_id, NEW.role, now())
          ON CONFLICT (staff_id, valid_from) DO UPDATE SET store_id = excluded.store_id, role = excluded.role, valid_to = NULL;
        RETURN NULL;
      END $$;
      DROP TRIGGER staff_assignment_update ON staff;
      CREATE TRIGGER staff_assignment_update AFTER UPDATE OF store_id, role ON staff FOR EACH ROW EXECUTE FUNCTION sf_staff_assignment();
    `);
  },
};

export default migration;
