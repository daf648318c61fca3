import type { HqMigration } from '../migrate.js';

/**
 * Transfers that were overtaken before migration 0020 say so too.
 *
 * 0020's trigger marks a waiting transfer `overtaken` when its customer's guide changes again, but
 * only changes from then on: a transfer still in its takeover window at the upgrade, whose customer
 * another guide already had (a scan past the protection period, a later transfer, a store move),
 * stayed `waiting`. Its window's end settled it `done`, and a decline — which since 0020 relies on
 * the status — went through: the customer was taken from the guide who had them and put in the pool.
 *
 * Every such transfer (waiting, its customer's guide not the one it went to) is marked as 0020's
 * trigger would have, at the upgrade's time, the reason saying it was found at the upgrade.
 *
 * Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 23,
  name: 'overtaken-before-0020',
  up: async (sql) => {
    await sql.exec(`
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
