import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ENTITIES } from '../protocol/entities.js';
import type { EntitySpec } from '../protocol/entities.js';
import type { UniqueKeys } from './unique-keys.js';

/**
 * A provisioning loads its large tables (200,000 SKUs, a store's 50,000 customers) without their
 * secondary indexes, and builds them once at the end, sorted.
 *
 * Keeping an index while inserting costs a page of the index per row wherever the key falls: an
 * EAN, a phone number or a name is in no order the feed sends rows in, so every row lands on
 * another page, and every page's commit writes those pages to the WAL again, each encrypted.
 * Building the index afterwards reads the table once and writes each index page once. On this
 * machine 200,000 SKUs load in about 0.48 s without `sku_ean` and `sku_style` and the two build in
 * about 0.29 s, against 1.1 s loading with them (`node dist/bench/apply-page.js`). The primary key
 * and the UNIQUE constraints of columns stay (SQLite cannot drop them; the EAN's uniqueness is a
 * named index for this reason, device migration 8).
 *
 * Crash-safe: the indexes are dropped in the transaction of the page that loads the table first,
 * together with a record of them in `meta` (their SQL as SQLite stored it), and built again in the
 * transaction of the scope's last page, the one that marks it done. A store closed between the two
 * has its rows, its cursor and the record; the provisioning resumes where it was and the last page
 * builds them. Whatever else ends a provisioning (the device moved to another store, its cursors
 * cleared) has them built at the next pull's start (`restoreIndexes` for every scope not being
 * provisioned).
 *
 * Meanwhile the table is read without them: correct, only slower (a scan by EAN reads the whole
 * table, a few tens of ms at 200,000 SKUs), and only while the catalog is still arriving.
 */

/** Rows of one kind in one page from which an empty table is loaded without its secondary indexes. */
export const DEFER_INDEX_ROWS = 10_000;

const META_KEY = 'deferred_indexes';

/** An index dropped for a provisioning: the scope whose last page builds it again, and SQLite's own SQL for it. */
export type DeferredIndex = { scope: string; table: string; name: string; sql: string; unique: boolean; columns: string[] };

function isDeferredIndex(value: unknown): value is DeferredIndex {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.scope === 'string' &&
    typeof v.table === 'string' &&
    typeof v.name === 'string' &&
    typeof v.sql === 'string' &&
    /^CREATE (UNIQUE )?INDEX /i.test(v.sql) &&
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
 * ones made by CREATE INDEX (a constraint's or the primary key's cannot be dropped). Returns how
 * many it dropped. Call inside the transaction of the page that loads the table.
 */
export function deferIndexes(db: Database, scope: string, table: string): number {
  if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) return 0;
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
    .all(table) as { name: string; sql: string }[];
  if (indexes.length === 0) return 0;
  const list = deferredIndexes(db);
  for (const { name, sql } of indexes) {
    const info = db.pragma(`index_list(${JSON.stringify(table)})`) as { name: string; unique: number }[];
    const unique = info.find((i) => i.name === name)?.unique === 1;
    const columns = (db.pragma(`index_info(${JSON.stringify(name)})`) as { name: string | null }[]).map((c) => c.name ?? '');
    list.push({ scope, table, name, sql, unique, columns });
    db.exec(`DROP INDEX ${JSON.stringify(name)}`);
  }
  record(db, list);
  return indexes.length;
}

/**
 * Builds again the deferred indexes of the scopes `which` picks, and forgets them. Call inside a
 * transaction. A unique index that finds its key twice — which HQ's own constraint rules out once
 * a scope is drained, but the device does not stake its catalog on that — gets it resolved as a
 * key HQ moved is (sync/client/unique-keys.ts): one row keeps it, the others hold a placeholder
 * until HQ's next change of them. Returns the names built.
 */
export function restoreIndexes(db: Database, uniqueKeys: UniqueKeys, which: (scope: string) => boolean): string[] {
  const list = deferredIndexes(db);
  const build = list.filter((d) => which(d.scope));
  if (build.length === 0) return [];
  for (const d of build) {
    try {
      db.exec(d.sql);
    } catch (error) {
      const spec = specOf(d.table);
      const column = d.columns.length === 1 ? d.columns[0] : undefined;
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE' || !d.unique || !spec || !column) throw error;
      uniqueKeys.resolveDuplicates(spec, column);
      db.exec(d.sql);
    }
  }
  record(
    db,
    list.filter((d) => !which(d.scope)),
  );
  return build.map((d) => d.name);
}

function specOf(table: string): EntitySpec | undefined {
  return Object.values(ENTITIES).find((s) => s.table === table);
}
