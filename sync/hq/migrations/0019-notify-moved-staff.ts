import type { HqMigration } from '../migrate.js';

/**
 * A staff member moved to another store nudges the store they left.
 *
 * IT moves someone by saving them with another store (`POST /admin/v1/staff`). 0001's feed trigger
 * then tombstones their staff and PIN rows in the old store's feed and writes them to the new one,
 * but NOTIFYs `sf_change` with the new store's scope only (the frozen feedTriggersV1 nudges the
 * scopes of the rows as they are now). The old store's live devices were not nudged, and every HQ
 * process kept the old store's feed head it knew (sync/hq/feed-heads.ts): its devices' pulls were
 * answered from memory with nothing new, so the moved cashier's PIN still opened the tills there
 * until something else in that store changed. 0004 did the same for a customer who moves stores.
 *
 * A statement-level trigger beside the feed's: the old stores of the rows whose store changed are
 * notified in the same transaction, at its commit.
 *
 * Additive: a function and a trigger. Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 19,
  name: 'notify-moved-staff',
  up: async (sql) => {
    await sql.exec(`
      CREATE FUNCTION notify_moved_staff() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('sf_change', s)
           FROM (SELECT DISTINCT 'store:' || o.store_id AS s FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id) AS scopes;
        RETURN NULL;
      END $fn$;
      CREATE TRIGGER notify_moved_staff AFTER UPDATE ON staff REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notify_moved_staff();
    `);
  },
};

export default migration;
