import type { HqMigration } from '../migrate.js';

/**
 * A transfer that something else overtook says so.
 *
 * A transfer between guides moves the customer at once and waits out a takeover window, in which
 * the customer may decline. If within that window their guide changes again — another guide's
 * scan past the protection period, a later transfer, a move to another store — the transfer was
 * still `waiting` and became `done` when its window ended: HQ and the store read that the
 * customer went to the transfer's guide, while another guide had them.
 *
 * Now the change of guide marks every transfer still waiting for that customer, to someone else,
 * `overtaken`, at HQ's clock (sf_now), with the guide who has them in its reason. It no longer
 * waits, is never settled as done and cannot be declined; it still counts against the in-service
 * limit, since it moved the customer. A row trigger on `customer.guide_id` only: the many updates
 * of other columns (points, a sale's purchase totals) do not fire it.
 *
 * Transfers already overtaken at the upgrade (still waiting, their customer's guide not the one
 * they went to: a scan, a later transfer or a store move before it) are marked the same way at
 * the upgrade's time, the reason saying so: the trigger only sees changes from then on, and such a
 * transfer would otherwise be settled done, or declined from under the guide who has the customer.
 *
 * Widening a CHECK is additive: an HQ process of the version before never writes the new status,
 * and reads it as one more status it counts.
 *
 * Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 20,
  name: 'overtaken-transfers',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE customer_transfer DROP CONSTRAINT customer_transfer_status_check;
      ALTER TABLE customer_transfer ADD CONSTRAINT customer_transfer_status_check
        CHECK (status IN ('waiting', 'done', 'declined', 'refused_limit', 'refused', 'overtaken'));
      CREATE FUNCTION overtake_transfers() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE customer_transfer
           SET status = 'overtaken', completed_at = sf_now(),
               reason = 'overtaken: ' || coalesce(NEW.guide_id, 'the store pool') || ' has the customer since '
                        || to_char(sf_now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ', before the takeover window ended'
         WHERE customer_id = NEW.id AND status = 'waiting' AND to_guide_id IS DISTINCT FROM NEW.guide_id;
        RETURN NULL;
      END $fn$;
      CREATE TRIGGER overtake_transfers AFTER UPDATE OF guide_id ON customer FOR EACH ROW
        WHEN (OLD.guide_id IS DISTINCT FROM NEW.guide_id) EXECUTE FUNCTION overtake_transfers();
      UPDATE customer_transfer t
         SET status = 'overtaken', completed_at = now(),
             reason = 'overtaken: ' || coalesce(c.guide_id, 'the store pool') || ' had the customer at the upgrade of '
                      || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ', before the takeover window ended'
        FROM customer c
       WHERE c.id = t.customer_id AND t.status = 'waiting' AND t.to_guide_id IS DISTINCT FROM c.guide_id;
    `);
  },
};

export default migration;
