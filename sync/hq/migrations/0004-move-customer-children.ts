import type { HqMigration } from '../migrate.js';

/**
 * A customer who moves stores takes their member code and coupons along in the feed.
 *
 * 0001's feed triggers find a member code's and a customer coupon's scope through the customer
 * (`JOIN customer c`), but only fire when the code or coupon row itself is written: a customer
 * moving stores re-fed the customer (and tombstoned it in the old store) and left the children in
 * the old store's feed — the new store's devices never got them, and a device provisioned later
 * in the old store still did. Here an UPDATE of customers that changes their store tombstones
 * their member codes and coupons in the old store's feed and touches the rows, so their own
 * (frozen) feed triggers write them to the new store's feed in the same transaction; the old
 * store is nudged too (0001's customer trigger only nudges the new one).
 *
 * The tombstones are written as the feed triggers write them (feed-triggers.ts, member_code rank
 * 8 and coupon rank 9 of 0001-create-hq/stores.ts, key values `[code]`). Statement-level with
 * transition tables, like the feed triggers, so moving a whole guide's book is one pass.
 *
 * Customers who moved before this migration are repaired once: a member code or coupon still
 * live in another store's feed than its customer's is tombstoned there and fed again.
 *
 * Shipped once released: never edit it; a change is a new migration.
 */
const FUNCTION = `
    CREATE FUNCTION move_customer_children() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- Tombstones where they were: the old store's feed.
      INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
      SELECT 'store:' || o.store_id, 'member_code', m.code, 8, pg_current_xact_id(), json_build_array(m.code), true
        FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id
        JOIN member_code AS m ON m.customer_id = n.id
      ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted;
      INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
      SELECT 'store:' || o.store_id, 'coupon', k.code, 9, pg_current_xact_id(), json_build_array(k.code), true
        FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id
        JOIN coupon AS k ON k.customer_id = n.id
      ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted;
      -- The rows again, under the new store: their feed triggers read the customer's store as it is now.
      UPDATE member_code SET customer_id = customer_id
       WHERE customer_id IN (SELECT n.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id);
      UPDATE coupon SET customer_id = customer_id
       WHERE customer_id IN (SELECT n.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id);
      PERFORM pg_notify('sf_change', s)
         FROM (SELECT DISTINCT 'store:' || o.store_id AS s FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id AND n.store_id <> o.store_id) AS scopes;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER move_customer_children AFTER UPDATE ON customer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION move_customer_children();`;

/** Customers moved before this migration: their children's rows left live in another store's feed. */
const REPAIR = `
    WITH stale AS (
      UPDATE change AS ch SET row = json_build_array(ch.key), deleted = true, xid = pg_current_xact_id()
        FROM member_code AS m JOIN customer AS c ON c.id = m.customer_id
       WHERE ch.kind = 'member_code' AND ch.key = m.code AND NOT ch.deleted
         AND ch.scope LIKE 'store:%' AND ch.scope <> 'store:' || c.store_id
      RETURNING ch.key)
    UPDATE member_code SET customer_id = customer_id WHERE code IN (SELECT key FROM stale);
    WITH stale AS (
      UPDATE change AS ch SET row = json_build_array(ch.key), deleted = true, xid = pg_current_xact_id()
        FROM coupon AS k JOIN customer AS c ON c.id = k.customer_id
       WHERE ch.kind = 'coupon' AND ch.key = k.code AND NOT ch.deleted
         AND ch.scope LIKE 'store:%' AND ch.scope <> 'store:' || c.store_id
      RETURNING ch.key)
    UPDATE coupon SET customer_id = customer_id WHERE code IN (SELECT key FROM stale);`;

const migration: HqMigration = {
  version: 4,
  name: 'move-customer-children',
  up: async (sql) => {
    await sql.exec(FUNCTION);
    await sql.exec(REPAIR);
  },
};

export default migration;
