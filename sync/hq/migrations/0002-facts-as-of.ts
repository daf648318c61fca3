import type { HqMigration } from '../migrate.js';

/**
 * Events are facts, judged by what was true when they happened:
 * - `staff_assignment`: which store each staff member belonged to, from when to when, kept by a
 *   trigger on `staff`. A sale rung up offline by a cashier who has since moved stores is judged
 *   by the cashier's store at `occurred_at`, not today's. Existing staff are backfilled as having
 *   always been at their current store.
 * - `event.deferred_at`: an event of a type this HQ does not know yet (a newer device during a
 *   rolling upgrade) is recorded with its effects not applied; an upgraded HQ applies it at start.
 * - `sale_line.original_line_id`: the sold line a returned line takes back (a return is checked
 *   against what is left of it).
 * - `dead_letter.event`, `reapplied_at`, `reapply_result`: the event a device dead-lettered, as
 *   the device reported it, so IT can re-apply it once HQ is fixed, and what that did.
 */
const migration: HqMigration = {
  version: 2,
  name: 'facts-as-of',
  up: async (sql) => {
    await sql.exec(`
      CREATE TABLE staff_assignment (
        staff_id    text NOT NULL REFERENCES staff(id),
        store_id    text NOT NULL,
        valid_from  timestamptz NOT NULL,
        valid_to    timestamptz,
        PRIMARY KEY (staff_id, valid_from)
      );
      CREATE INDEX staff_assignment_store ON staff_assignment (store_id, staff_id);
      INSERT INTO staff_assignment (staff_id, store_id, valid_from) SELECT id, store_id, '-infinity' FROM staff;

      CREATE FUNCTION sf_staff_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A new staff member has worked nowhere else: their first store holds from the beginning
        -- (a device's clock may be behind HQ's). Only a move draws a line in time.
        IF TG_OP = 'INSERT' THEN
          INSERT INTO staff_assignment (staff_id, store_id, valid_from) VALUES (NEW.id, NEW.store_id, '-infinity')
            ON CONFLICT (staff_id, valid_from) DO NOTHING;
          RETURN NULL;
        END IF;
        IF NEW.store_id IS NOT DISTINCT FROM OLD.store_id THEN RETURN NULL; END IF;
        UPDATE staff_assignment SET valid_to = now() WHERE staff_id = NEW.id AND valid_to IS NULL;
        INSERT INTO staff_assignment (staff_id, store_id, valid_from) VALUES (NEW.id, NEW.store_id, now())
          ON CONFLICT (staff_id, valid_from) DO UPDATE SET store_id = excluded.store_id, valid_to = NULL;
        RETURN NULL;
      END $$;
      CREATE TRIGGER staff_assignment_insert AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION sf_staff_assignment();
      CREATE TRIGGER staff_assignment_update AFTER UPDATE OF store_id ON staff FOR EACH ROW EXECUTE FUNCTION sf_staff_assignment();

      -- Which sold line a returned line takes back, so a return is checked against what is left of it.
      ALTER TABLE sale_line ADD COLUMN original_line_id text;
      CREATE INDEX sale_line_original ON sale_line (original_line_id) WHERE original_line_id IS NOT NULL;

      ALTER TABLE event ADD COLUMN deferred_at timestamptz;
      CREATE INDEX event_deferred ON event (type) WHERE deferred_at IS NOT NULL;

      ALTER TABLE dead_letter ADD COLUMN event jsonb;
      ALTER TABLE dead_letter ADD COLUMN reapplied_at timestamptz;
      ALTER TABLE dead_letter ADD COLUMN reapply_result text;
    `);
  },
};

export default migration;
