import type { HqMigration } from '../migrate.js';

/**
 * A chunk settles against the change rows of younger transactions too (issue 13: the catalog
 * import).
 *
 * Settling a chunk at commit (`settle_change_chunk`, HQ migration 0010) deletes the change rows its
 * rows had on their own before the chunk brought them: a device would otherwise read an older
 * tombstone after the chunk. It told "before" by transaction id (`xid < mine`) and, for the other
 * transactions' rows, by command id — which is another transaction's counter, meaningless here.
 * A transaction younger than the load that deleted a row and committed before the load brought
 * the row back (a plain insert: the row was gone) left its tombstone with an xid after the chunk's:
 * kept, whenever its command id happened to be the larger, and every device of the scope read the
 * chunk's row and then its tombstone. The row stayed in HQ's table and was gone from every device
 * (a store's stock line, a SKU of the catalog) until it changed again.
 *
 * Any other transaction's change row the settling transaction sees was committed, and it was
 * written before the load wrote the row: once the load has inserted a key, no other transaction
 * can write that row until the load ends (it waits for the load's lock, and the load then writes
 * its rows one by one instead of waiting, 0010). So every other transaction's change row of a
 * chunked key is the older state and goes (`xid <> mine`); command ids still order this
 * transaction's own writes.
 *
 * Replaces the function only: the trigger keeps calling it. Shipped once released: never edit it;
 * a change is a new migration.
 */
const migration: HqMigration = {
  version: 18,
  name: 'settle-chunk-younger-changes',
  up: async (sql) => {
    await sql.exec(`
      CREATE OR REPLACE FUNCTION settle_change_chunk() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        mine xid8 := pg_current_xact_id();
        deadline timestamptz := nullif(current_setting('sf.chunk_deadline', true), '')::timestamptz;
        own bigint;
        earlier text[];
        later text[];
        polls int := 0;
      BEGIN
        -- The change rows of the chunk's rows on their own: those of other transactions (older or
        -- younger: committed, so written before this one wrote the row), and those this one's
        -- commands wrote before the chunk, are the older state and go (a device
        -- would otherwise read a tombstone and the chunk's row in one page, and apply the
        -- tombstone last); where this transaction wrote one after the chunk, theirs is the newer
        -- state and the chunk drops the row.
        SELECT ch.cmin::text::bigint INTO own FROM change AS ch WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key;
        SELECT array_agg(c.key) FILTER (WHERE c.xid <> mine OR c.cmin::text::bigint < own),
               array_agg(c.key) FILTER (WHERE c.xid = mine AND c.cmin::text::bigint > own)
          INTO earlier, later FROM change AS c
         WHERE c.scope = NEW.scope AND c.kind = NEW.kind AND c.key = ANY (NEW.keys) AND c.keys IS NULL;
        IF earlier IS NOT NULL THEN
          DELETE FROM change AS c WHERE c.scope = NEW.scope AND c.kind = NEW.kind AND c.key = ANY (earlier);
        END IF;
        IF later IS NOT NULL THEN
          WITH kept AS (
            SELECT e.k, e.v FROM change AS ch,
                   LATERAL unnest(ch.keys, ARRAY(SELECT json_array_elements(('[' || ch.rows || ']')::json)::text)) AS e(k, v)
             WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key AND e.k <> ALL (later))
          UPDATE change AS ch SET keys = s.keys, rows = s.rows, n = s.n
            FROM (SELECT array_agg(k) AS keys, string_agg(v, ',') AS rows, count(*)::int AS n FROM kept) AS s
           WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key AND s.n > 0;
          DELETE FROM change AS ch WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key AND ch.keys <@ later;
        END IF;
        -- One limit for the transaction's chunks together, from the first one's settling.
        IF deadline IS NULL THEN
          deadline := clock_timestamp() + interval '30 seconds';
          PERFORM set_config('sf.chunk_deadline', deadline::text, true);
        END IF;
        LOOP
          -- A snapshot's xmin is the oldest transaction running, this one included.
          EXIT WHEN pg_snapshot_xmin(pg_current_snapshot()) >= mine;
          -- Under REPEATABLE READ or SERIALIZABLE the snapshot never moves on: nothing to wait for.
          IF clock_timestamp() > deadline OR current_setting('transaction_isolation') <> 'read committed'
             OR EXISTS (SELECT 1 FROM pg_locks AS l WHERE NOT l.granted AND pg_backend_pid() = ANY (pg_blocking_pids(l.pid))) THEN
            -- Written out row by row, as the feed triggers write them.
            INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
            SELECT ch.scope, ch.kind, e.k, ch.rank, mine, e.v, false FROM change AS ch,
                   LATERAL unnest(ch.keys, ARRAY(SELECT json_array_elements(('[' || ch.rows || ']')::json))) AS e(k, v)
             WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key
            ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted;
            DELETE FROM change AS ch WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key;
            RETURN NULL;
          END IF;
          -- 5 ms, doubling to 50 ms: a commit that waits seconds polls a few times a second.
          PERFORM pg_sleep(least(0.05, 0.005 * 2 ^ polls));
          polls := polls + 1;
        END LOOP;
        RETURN NULL;
      END $fn$;
    `);
  },
};

export default migration;
