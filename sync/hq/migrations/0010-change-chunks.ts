import type { HqMigration } from '../migrate.js';

/**
 * Chunks in the change log (issue 13: the catalog import). A bulk load wrote one change row per
 * row it loaded — a heap row and two B-tree entries each, more than half of a stock statement's
 * time — although a device reads them back a page at a time. A chunk is one change row holding
 * many loaded rows of one kind and scope: `keys` their keys, `rows` their device-shaped rows
 * joined by commas (a JSON array's inside, in the same order), `n` how many. The feed serves a
 * chunk's rows as it serves rows (sync/hq/feed.ts), a page's budget counts them, and a page ends
 * before a tombstone that follows a chunk (a device applies a page's tombstones first). The bulk
 * loader writes chunks for the catalog and stock only (bulk-feeds.ts, CHUNKED_TABLES).
 *
 * The feed's order is (xid, rank, key), and one change row per key kept a later change of a row
 * after the row: the later writer upserted the key's change row. A chunk is not found by key,
 * so a later change of a row in it is a change row of its own, and it must sort after the chunk:
 * - A later transaction has a larger xid — but a transaction that took its xid before the chunk's
 *   and commits after it could change a chunked row (read committed sees it) and sort before the
 *   chunk. So the transaction that writes a chunk settles it at commit (`settle_change_chunk`, a
 *   deferred constraint trigger): it waits until no transaction older than its own is running.
 *   Every transaction that can see the chunk's rows then has a larger xid.
 * - A chunked row may have a change row of its own too: from an earlier transaction (the
 *   tombstone of a row the chunk brings back), or from the chunk's own (same xid), whose place
 *   beside the chunk's in the feed says nothing of which came first. At commit the older are
 *   deleted — the command ids decide within the transaction — and a row its transaction changed
 *   after the chunk is dropped from the chunk. A page then never holds a row's tombstone before
 *   its chunk (a device applies a page's tombstones after its rows).
 * - Waiting would deadlock with an older transaction that waits for one of this transaction's
 *   locks, which PostgreSQL cannot see (the wait is a poll, not a lock). While any session waits
 *   for this one, or 30 s after its first chunk began to wait (one limit for all its chunks), or
 *   when the transaction is not READ COMMITTED (its snapshot never moves on), the chunk is written
 *   out as one change row per row instead (what the feed triggers write) and commits without
 *   waiting. A key is in one chunk of a transaction at most (the bulk loader writes rows it may
 *   update one by one), so the chunks written out that way do not overwrite each other.
 *
 * `change_chunk_seq` names chunks in the order they are written (a key of its own in the log:
 * chr(1), then the number, padded: no table's key starts with chr(1), and the CHECK makes sure);
 * a later chunk with a row of an earlier one in the same transaction sorts after it.
 *
 * A chunk is never updated by the feed triggers (they upsert by a row's own key). Rows that
 * change later stay in the chunk as they were, followed by their newer change rows; a device
 * provisioned from the log applies both.
 *
 * Additive, and instant at any chain's size: a constant-default column and two nullable ones, a
 * constraint checked for new rows only (NOT VALID), a sequence, a view, a function and a trigger.
 *
 * Upgrading: an HQ process of the version before reads a chunk as one row (its `row`, `[]`), and a
 * device would refuse the page. Stop every HQ process of the version before before the first one
 * of this version starts (deploy/README.md, "Upgrading HQ"). Shipped once released: never edit
 * it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 10,
  name: 'change-chunks',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE change ADD COLUMN n integer NOT NULL DEFAULT 1, ADD COLUMN keys text[], ADD COLUMN rows text;
      ALTER TABLE change ADD CONSTRAINT change_chunk_shape CHECK (
        CASE WHEN keys IS NULL THEN n = 1 AND rows IS NULL AND left(key, 1) <> chr(1)
             ELSE n = cardinality(keys) AND n > 0 AND rows IS NOT NULL AND NOT deleted AND left(key, 1) = chr(1) END) NOT VALID;
      COMMENT ON COLUMN change.n IS 'Rows this change row holds: 1, or a chunk''s (HQ migration 0010).';
      COMMENT ON COLUMN change.keys IS 'A chunk''s keys, in the order of its rows; NULL for a change row of one row.';
      COMMENT ON COLUMN change.rows IS 'A chunk''s device-shaped rows joined by commas (a JSON array''s inside); NULL otherwise.';
      CREATE SEQUENCE change_chunk_seq;
      -- Every row the feed serves, a chunk's one by one: the log as it was before chunks, for IT's
      -- queries and the tests. The feed's order is (xid, rank, at); a key may have several (a chunk's
      -- row and its later changes), and the last is the row as it stands.
      CREATE VIEW change_row AS
        SELECT c.scope, c.kind, c.key, c.rank, c.xid, c.row, c.deleted, c.key AS at FROM change AS c WHERE c.keys IS NULL
        UNION ALL
        SELECT c.scope, c.kind, e.k, c.rank, c.xid, e.v, false, c.key FROM change AS c,
               LATERAL unnest(c.keys, ARRAY(SELECT json_array_elements(('[' || c.rows || ']')::json))) AS e(k, v)
         WHERE c.keys IS NOT NULL;

      CREATE FUNCTION settle_change_chunk() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        mine xid8 := pg_current_xact_id();
        deadline timestamptz := nullif(current_setting('sf.chunk_deadline', true), '')::timestamptz;
        own bigint;
        earlier text[];
        later text[];
        polls int := 0;
      BEGIN
        -- The change rows of the chunk's rows on their own: those of earlier transactions, and
        -- those this one's commands wrote before the chunk, are the older state and go (a device
        -- would otherwise read a tombstone and the chunk's row in one page, and apply the
        -- tombstone last); where this transaction wrote one after the chunk, theirs is the newer
        -- state and the chunk drops the row.
        SELECT ch.cmin::text::bigint INTO own FROM change AS ch WHERE ch.scope = NEW.scope AND ch.kind = NEW.kind AND ch.key = NEW.key;
        SELECT array_agg(c.key) FILTER (WHERE c.xid < mine OR c.cmin::text::bigint < own),
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
      CREATE CONSTRAINT TRIGGER settle_change_chunk AFTER INSERT ON change DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.keys IS NOT NULL) EXECUTE FUNCTION settle_change_chunk();
      -- Chunks are written by the bulk loader, with session_replication_role = replica.
      ALTER TABLE change ENABLE ALWAYS TRIGGER settle_change_chunk;
    `);
  },
};

export default migration;
