import type { HqMigration } from '../migrate.js';

/**
 * A tombstone takes its row out of the chunks of its scope (issue 13: the customer book in
 * chunks). A chunk (HQ migration 0010) keeps its rows as they were loaded. A row deleted later,
 * or moved to another scope (a customer who changed stores, and with them their tags, purchases
 * and member codes: migration 0004), gets a tombstone in its old scope, and a device provisioned
 * there later read the chunk's copy of the row before the tombstone deleted it: the customer's
 * data reached a store that no longer holds them, if only for a page. For that reason the bulk
 * loader wrote the customer book one change row per row: the sample brand's import took
 * PostgreSQL 16.2–18.9 CPU-seconds that way, against 14.1–14.8 with the book in chunks (the
 * catalog bench, alternating).
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
 * - Chunks are found through a partial index of their own (`change_chunk`), not by their keys'
 *   order: a cluster made with the host's locale (pg_autoctl does) may ignore the chr(1) a chunk
 *   key starts with when it compares text.
 * - A statement with a few tombstones (up to 8) compares each chunk of their scope and kind with
 *   them as an array; one with more unnests each such chunk once and hash-joins it with them (an
 *   array comparison costs tombstones × chunked rows: a warehouse's 200,000 stock tombstones meet
 *   200 chunks).
 * - The chunks a statement rewrites are locked in key order, and each is read as it stands once
 *   its lock is held, dropping keys, never positions. The lock is held to commit: two
 *   transactions writing tombstones of the same chunk take turns (before, tombstones of different
 *   keys never waited for each other), and two that each take such locks in several statements,
 *   in opposite orders, can deadlock — PostgreSQL ends one, and the projector retries its batch.
 *   A REPEATABLE READ transaction that finds a chunk rewritten since its snapshot fails to
 *   serialize (HQ runs READ COMMITTED). A chunk is rewritten once per row it loses: a row leaves
 *   a chunk once.
 * - The trigger runs whatever session_replication_role is (the bulk loader writes its own change
 *   rows with triggers off).
 *
 * Additive: two functions, two triggers and an index, built by one scan of the log. Chunks
 * already in the log (the catalog's and stock's) keep rows deleted before this migration; a page
 * still ends before a tombstone that follows a chunk (sync/hq/feed.ts), so a device deletes such
 * a row after it has it. Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 11,
  name: 'compact-change-chunks',
  up: async (sql) => {
    await sql.exec(`
      -- The chunks of a scope and kind, found without reading the log's per-row entries (nor
      -- relying on chunk keys sorting first: a cluster's default collation may ignore chr(1)).
      CREATE INDEX change_chunk ON change (scope, kind) WHERE keys IS NOT NULL;
      CREATE FUNCTION compact_change_chunks() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        hit record;
        tombstones int;
      BEGIN
        SELECT count(*) INTO tombstones FROM written AS w WHERE w.deleted;
        IF tombstones = 0 THEN
          RETURN NULL;
        END IF;
        -- Each chunk holding one of the statement's tombstones' keys, in key order, with those keys
        -- (\`gone\`: with a few tombstones, all of their scope and kind; a key not in the chunk is no matter).
        IF tombstones <= 8 THEN
          -- A few: each chunk's keys compared with them as an array (a one-row delete reads no chunk twice).
          FOR hit IN
            SELECT c.scope, c.kind, c.key, g.keys AS gone
              FROM (SELECT w.scope, w.kind, array_agg(w.key) AS keys FROM written AS w WHERE w.deleted GROUP BY w.scope, w.kind) AS g
              JOIN change AS c ON c.scope = g.scope AND c.kind = g.kind AND c.keys IS NOT NULL
             WHERE c.xid <> pg_current_xact_id() AND c.keys && g.keys
             ORDER BY c.scope, c.kind, c.key
          LOOP
            PERFORM compact_change_chunk(hit.scope, hit.kind, hit.key, hit.gone);
          END LOOP;
        ELSE
          -- Many: every chunk of their scopes and kinds unnested once and hash-joined with them (an
          -- array comparison would cost tombstones × chunked rows).
          FOR hit IN
            WITH gone AS MATERIALIZED (SELECT w.scope, w.kind, w.key FROM written AS w WHERE w.deleted),
                 held AS MATERIALIZED (
                   SELECT c.scope, c.kind, c.key AS chunk, u.k FROM change AS c CROSS JOIN LATERAL unnest(c.keys) AS u(k)
                    WHERE (c.scope, c.kind) IN (SELECT DISTINCT g.scope, g.kind FROM gone AS g)
                      AND c.keys IS NOT NULL AND c.xid <> pg_current_xact_id())
            SELECT h.scope, h.kind, h.chunk AS key, array_agg(h.k) AS gone
              FROM held AS h JOIN gone AS g ON g.scope = h.scope AND g.kind = h.kind AND g.key = h.k
             GROUP BY h.scope, h.kind, h.chunk
             ORDER BY h.scope, h.kind, h.chunk
          LOOP
            PERFORM compact_change_chunk(hit.scope, hit.kind, hit.key, hit.gone);
          END LOOP;
        END IF;
        RETURN NULL;
      END $fn$;

      -- One chunk without the keys \`gone\`: locked first, then read as it stands; deleted when nothing is left.
      CREATE FUNCTION compact_change_chunk(chunk_scope text, chunk_kind text, chunk_key text, gone text[]) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM 1 FROM change AS c WHERE c.scope = chunk_scope AND c.kind = chunk_kind AND c.key = chunk_key FOR UPDATE;
        IF EXISTS (SELECT 1 FROM change AS c CROSS JOIN LATERAL unnest(c.keys) AS k(key)
                    WHERE c.scope = chunk_scope AND c.kind = chunk_kind AND c.key = chunk_key AND k.key NOT IN (SELECT unnest(gone))) THEN
          UPDATE change AS c SET (keys, rows, n) = (
                 SELECT array_agg(e.k ORDER BY e.i), string_agg(e.v::text, ',' ORDER BY e.i), count(*)::int
                   FROM unnest(c.keys, ARRAY(SELECT json_array_elements(('[' || c.rows || ']')::json))) WITH ORDINALITY AS e(k, v, i)
                  WHERE e.k NOT IN (SELECT unnest(gone)))
           WHERE c.scope = chunk_scope AND c.kind = chunk_kind AND c.key = chunk_key;
        ELSE
          DELETE FROM change AS c WHERE c.scope = chunk_scope AND c.kind = chunk_kind AND c.key = chunk_key;
        END IF;
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
