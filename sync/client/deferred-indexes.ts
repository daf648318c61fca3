import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ENTITIES } from '../protocol/entities.js';
import type { EntitySpec } from '../protocol/entities.js';
import { UniqueKeys } from './unique-keys.js';

/**
 * A provisioning loads its large tables (200,000 SKUs, a store's 50,000 customers) without their
 * secondary indexes, and builds them once at the end, sorted.
 *
 * Keeping an index while inserting costs a page of the index per row wherever the key falls: an
 * EAN, a phone number or a name is in no order the feed sends rows in, so every row lands on
 * another page, and every page's commit writes those pages to the WAL again, each encrypted.
 * Building the index afterwards reads the table once and writes each index page once. On this
 * machine four pages of 50,000 SKUs take 580–690 ms this way, the build included, against
 * 890–940 ms with the indexes kept (`node dist/bench/apply-page.js`). The primary key
 * and the UNIQUE constraints of columns stay (SQLite cannot drop them; the EAN's uniqueness is a
 * named index for this reason, device migration 8).
 *
 * Crash-safe: the indexes are dropped in the transaction of the page that loads the table first,
 * together with a record of them in `meta` (their SQL as SQLite stored it), and built again in the
 * transaction of the scope's last page, the one that marks it done. A store closed between the two
 * has its rows, its cursor and the record; the provisioning resumes where it was and the last page
 * builds them. A scope the device stops pulling before its last page (moved to another store) has
 * them built at the next pull's start (`buildDeferredIndexes` in sync/client/apply.ts); a scope
 * whose cursors are cleared while the device still pulls it (ensureFeedKinds) is provisioned
 * again, over the rows it has, and its last page builds them as before. A store that runs new
 * migrations builds them all first (`buildEveryDeferredIndex`, openStore's `beforeMigrations`).
 *
 * Meanwhile the table is read without them, only while the catalog is still arriving: a scan by
 * EAN reads the whole table (8.5–8.8 ms at 200,000 SKUs, warm, for an EAN near the end or absent); the cascades of a page's
 * tombstones read it once per page (apply.ts, `cascade`); and an EAN HQ moved from one SKU to
 * another may be held by both until the feed drains (no index refuses the second, so UniqueKeys
 * is not called), when the build finds it held twice (below).
 */

/** Rows of one kind in one page from which an empty table is loaded without its secondary indexes. */
export const DEFER_INDEX_ROWS = 10_000;

/**
 * Indexes a trigger reads by once per row written, which therefore stay: the customer_next
 * triggers (device migrations 7 and 9) find the inserted task's customer's open tasks by
 * `customer_task_customer`. Without it every insert scans the tasks loaded so far, and a page of
 * n tasks reads n²/2 rows: a store's first page of 10,000 tasks took 1.6 s and one of 20,000
 * took 6.9 s, against 77 ms for 5,000 loaded with it (a page may hold 50,000).
 */
export const TRIGGER_INDEXES: ReadonlySet<string> = new Set(['customer_task_customer']);

const META_KEY = 'deferred_indexes';

/** An index dropped for a provisioning: the scope whose last page builds it again, and SQLite's own SQL for it. */
export type DeferredIndex = { scope: string; table: string; name: string; sql: string; unique: boolean; columns: string[] };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Whether `sql` creates index `name` on `table` and nothing else (plain names, as the device's
 * migrations write them): the only indexes deferred, and the only SQL a record may hold. It is run
 * with prepare(), which refuses a second statement.
 */
function creates(name: unknown, table: unknown, sql: unknown): boolean {
  return (
    typeof name === 'string' &&
    IDENTIFIER.test(name) &&
    typeof table === 'string' &&
    IDENTIFIER.test(table) &&
    typeof sql === 'string' &&
    new RegExp(`^CREATE (UNIQUE )?INDEX ${name} ON ${table}\\s*\\(`).test(sql)
  );
}

/** A record entry as deferIndexes wrote it. */
function isDeferredIndex(value: unknown): value is DeferredIndex {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.scope === 'string' &&
    creates(v.name, v.table, v.sql) &&
    typeof v.unique === 'boolean' &&
    Array.isArray(v.columns) &&
    v.columns.every((c) => typeof c === 'string')
  );
}

/** The indexes a provisioning has dropped and not yet built again. A record this code did not write is an error, not a guess. */
export function deferredIndexes(db: Database): DeferredIndex[] {
  const stored = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_KEY) as string | undefined;
  if (stored === undefined) return [];
  const list: unknown = JSON.parse(stored);
  if (!Array.isArray(list) || !list.every(isDeferredIndex))
    throw new Error(`meta.${META_KEY} is not a list of deferred indexes: ${stored}`);
  return list;
}

function record(db: Database, list: readonly DeferredIndex[]): void {
  if (list.length === 0) db.prepare('DELETE FROM meta WHERE key = ?').run(META_KEY);
  else
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      META_KEY,
      JSON.stringify(list),
    );
}

/**
 * Drops the secondary indexes of `table` for `scope`'s provisioning, if the table is empty: the
 * ones made by CREATE INDEX (a constraint's or the primary key's cannot be dropped), but for
 * TRIGGER_INDEXES. Returns how many it dropped. Call inside the transaction of the page that
 * loads the table.
 */
export function deferIndexes(db: Database, scope: string, table: string): number {
  if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) return 0;
  const indexes = (
    db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
      .all(table) as {
      name: string;
      sql: string;
    }[]
  ).filter((i) => creates(i.name, table, i.sql) && !TRIGGER_INDEXES.has(i.name));
  if (indexes.length === 0) return 0;
  const list = deferredIndexes(db);
  const info = db.pragma(`index_list(${JSON.stringify(table)})`) as { name: string; unique: number }[];
  for (const { name, sql } of indexes) {
    const unique = info.find((i) => i.name === name)?.unique === 1;
    const columns = (db.pragma(`index_info(${JSON.stringify(name)})`) as { name: string | null }[]).map((c) => c.name ?? '');
    list.push({ scope, table, name, sql, unique, columns });
    db.exec(`DROP INDEX ${name}`);
  }
  record(db, list);
  return indexes.length;
}

/**
 * Builds again the deferred indexes of the scopes `which` picks, and forgets them. Call inside a
 * transaction. An index already there (made again meanwhile) is left as it is. A unique index that
 * finds its key twice — which HQ's own constraint rules out once a scope is drained, but the
 * device does not stake its catalog on that — keeps it on the row first in key order, and the
 * others hold a placeholder until HQ's next change of them (sync/client/unique-keys.ts; which of
 * the rows was written last is not known here). Returns the names built.
 */
export function restoreIndexes(db: Database, uniqueKeys: UniqueKeys, which: (scope: string) => boolean): string[] {
  const list = deferredIndexes(db);
  const build = list.filter((d) => which(d.scope));
  if (build.length === 0) return [];
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?");
  for (const d of build) {
    // Made again meanwhile (by hand, or a migration that did not know of the record): it stands as it is.
    if (exists.get(d.name) !== undefined) continue;
    const create = db.prepare(d.sql);
    try {
      create.run();
    } catch (error) {
      const spec = specOf(d.table);
      const column = d.columns.length === 1 ? d.columns[0] : undefined;
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE' || !d.unique || !spec || !column) throw error;
      uniqueKeys.resolveDuplicates(spec, column);
      create.run();
    }
  }
  record(
    db,
    list.filter((d) => !which(d.scope)),
  );
  return build.map((d) => d.name);
}

/**
 * Builds every deferred index, whatever its scope: what a store does before its migrations run
 * (openStore's `beforeMigrations`), so that a migration finds the schema as its migrations made
 * it — an index it drops, alters or rebuilds is there, and none it dropped comes back later from
 * an old record. A provisioning under way goes on with its indexes in place.
 */
export function buildEveryDeferredIndex(db: Database): string[] {
  // A new store has no tables yet: its first migration makes `meta`.
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() === undefined) return [];
  return restoreIndexes(db, new UniqueKeys(db), () => true);
}

function specOf(table: string): EntitySpec | undefined {
  return Object.values(ENTITIES).find((s) => s.table === table);
}
