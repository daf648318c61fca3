import type { HqMigration } from '../migrate.js';

/**
 * A tombstone takes its row out of the chunks of its scope (issue 13: the customer book in
 * chunks). A chunk (HQ migration 0010) keeps its rows as they were loaded. A row deleted later,
 * or moved to another scope (a customer who changed stores, and with them their tags, purchases
 * and member codes: migration 0004), gets a tombstone in its old scope, and a device provisioned
 * there later read the chunk's copy of the row before the tombstone deleted it: the customer's
 * data reached a store that no longer holds them, if only for a page. For that reason the bulk
 * loader wrote the customer book one change row per row, at about 2 CPU-seconds of the sample
 * brand's import.
 *
 * Now every statement that writes tombstones into `change` also rewrites the committed chunks of
 * their scope and kind that hold their keys (`compact_change_chunks`, a statement-level trigger
 * on `change` with the written rows as a transition table, for inserts and updates alike: a
 * key's tombstone may upsert its earlier change row). A chunk that loses every row is deleted.
 * The old scope's log then holds the moved or removed row's tombstone alone, as a per-row log
 * did, and the bulk loader chunks the customer book too (bulk-feeds.ts, CHUNKED_TABLES).
 *
 * - Only tombstones compact. A row that changes and stays in its scope is served again by its
 *   newer change row, after the chunk (as the catalog's rows are): a device of that scope may
 *   hold it anyway, and rewriting a 1,000-row chunk at every edit of one of its rows would cost
 *   a chain's HQ far more than it saves.
 * - A chunk of the writing transaction itself is left to `settle_change_chunk` (0010): it drops
 *   at commit the rows its transaction changed after the chunk, by command id, and an update
 *   here would change the chunk's command id under it.
 * - Rows are found by hashing, never by comparing two arrays element by element: a warehouse's
 *   200,000 stock tombstones meet 200 chunks.
 * - Concurrent writers lock the chunks they rewrite in key order (no deadlock between two of
 *   them), and read each chunk as it stands once they hold its lock, dropping keys, never
 *   positions.
 * - The trigger runs whatever session_replication_role is (the bulk loader writes its own change
 *   rows with triggers off).
 *
 * Additive: a function and two triggers; instant at any chain's size. Chunks already in the log
 * (the catalog's and stock's) keep rows deleted before this migration; a page still ends before a
 * tombstone that follows a chunk (sync/hq/feed.ts), so a device deletes such a row after it has
 * it. Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 11,
  name: 'compact-change-chunks',
  up: async (sql) => {
    await sql.exec(`
      CREATE FUNCTION compact_change_chunks() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        hit record;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM written AS w WHERE w.deleted) THEN
          RETURN NULL;
        END IF;
        FOR hit IN
          SELECT c.scope, c.kind, c.key, array_agg(w.key) AS gone
            FROM change AS c
            CROSS JOIN LATERAL unnest(c.keys) AS k(key)
            JOIN written AS w ON w.scope = c.scope AND w.kind = c.kind AND w.key = k.key AND w.deleted
           WHERE (c.scope, c.kind) IN (SELECT DISTINCT t.scope, t.kind FROM written AS t WHERE t.deleted)
             AND c.key < chr(2) AND c.keys IS NOT NULL AND c.xid <> pg_current_xact_id()
           GROUP BY c.scope, c.kind, c.key
           ORDER BY c.scope, c.kind, c.key
        LOOP
          -- Locked first, in key order, then read as it stands.
          PERFORM 1 FROM change AS c WHERE c.scope = hit.scope AND c.kind = hit.kind AND c.key = hit.key FOR UPDATE;
          IF EXISTS (SELECT 1 FROM change AS c CROSS JOIN LATERAL unnest(c.keys) AS k(key)
                      WHERE c.scope = hit.scope AND c.kind = hit.kind AND c.key = hit.key AND k.key NOT IN (SELECT unnest(hit.gone))) THEN
            UPDATE change AS c SET (keys, rows, n) = (
                   SELECT array_agg(e.k ORDER BY e.i), string_agg(e.v::text, ',' ORDER BY e.i), count(*)::int
                     FROM unnest(c.keys, ARRAY(SELECT json_array_elements(('[' || c.rows || ']')::json))) WITH ORDINALITY AS e(k, v, i)
                    WHERE e.k NOT IN (SELECT unnest(hit.gone)))
             WHERE c.scope = hit.scope AND c.kind = hit.kind AND c.key = hit.key;
          ELSE
            DELETE FROM change AS c WHERE c.scope = hit.scope AND c.kind = hit.kind AND c.key = hit.key;
          END IF;
        END LOOP;
        RETURN NULL;
      END $fn$;
      CREATE TRIGGER compact_change_chunks_insert AFTER INSERT ON change REFERENCING NEW TABLE AS written
        FOR EACH STATEMENT EXECUTE FUNCTION compact_change_chunks();
      CREATE TRIGGER compact_change_chunks_update AFTER UPDATE ON change REFERENCING NEW TABLE AS written
        FOR EACH STATEMENT EXECUTE FUNCTION compact_change_chunks();
      -- The bulk loader writes change rows (its tombstones included) with session_replication_role = replica.
      ALTER TABLE change ENABLE ALWAYS TRIGGER compact_change_chunks_insert;
      ALTER TABLE change ENABLE ALWAYS TRIGGER compact_change_chunks_update;
    `);
  },
};

export default migration;
