import type { Database } from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { fileKeyStore } from '../store/key-store.js';
import type { Migration } from '../store/migrate.js';
import { schemaVersion } from '../store/migrate.js';
import { migrations as deviceMigrations } from '../store/migrations/index.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { tempDir } from './temp-dir.js';

/** Rows per table, each row as column → value, in a stable order (for toEqual). */
export type TableRows = Record<string, Record<string, unknown>[]>;

/** The tables of the store and their columns, as they are now (SQLite's own bookkeeping left out). */
export function tableColumns(db: Database): Record<string, string[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((t) => [t, db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(t) as string[]]),
  );
}

/** Every row of the given tables, only the given columns (a later migration may add columns). */
export function tableRows(db: Database, columns: Record<string, string[]>): TableRows {
  return Object.fromEntries(
    Object.entries(columns).map(([table, cols]) => {
      const rows = db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM "${table}"`).all() as Record<string, unknown>[];
      return [table, rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))];
    }),
  );
}

export type StoreUpgrade = {
  /** The store, reopened by the app at version `to` (so its migrations ran through openStore). */
  store: Store;
  /** Every row of every table at version `from`, after the seed. */
  before: TableRows;
  /** The same tables and columns as `before`, read now: equal to `before` if the upgrade kept the data. */
  rowsNow(): TableRows;
  /** Closes the store and removes its folder. */
  close(): void;
};

export type StoreUpgradeOptions = {
  /** The version the store is made at (0: an empty store). */
  from: number;
  /** The version it is then upgraded to; default `from + 1`. */
  to?: number;
  /** Default: the app's device migrations. */
  migrations?: readonly Migration[];
  /**
   * Writes the rows the upgrade must keep, in the schema of version `from`: plain SQL as that
   * version had it (see store-rows.ts), never today's services, which write today's schema.
   */
  seed: (db: Database) => void;
};

/**
 * The device side of "every migration comes with an upgrade test": a real encrypted store file
 * made by the migrations up to `from`, seeded, closed, then opened again by openStore with the
 * migrations up to `to` — what a device does when its app is updated.
 */
export function upgradeStore(options: StoreUpgradeOptions): StoreUpgrade {
  const list = options.migrations ?? deviceMigrations;
  const { from } = options;
  const to = options.to ?? from + 1;
  if (!(from >= 0 && from < to && to <= list.length))
    throw new Error(`upgradeStore: no upgrade from ${from} to ${to} in ${list.length} migrations`);
  const dir = tempDir('shopfloor-upgrade-');
  const path = join(dir.path, 'shopfloor.db');
  const keyStore = fileKeyStore(join(dir.path, 'store.key'));
  let store: Store | undefined;
  try {
    const old = openStore({ path, keyStore, migrations: list.slice(0, from) });
    let columns: Record<string, string[]>;
    let before: TableRows;
    try {
      if (schemaVersion(old.db) !== from) throw new Error(`upgradeStore: the store is at ${schemaVersion(old.db)}, not ${from}`);
      options.seed(old.db);
      columns = tableColumns(old.db);
      before = tableRows(old.db, columns);
    } finally {
      old.close();
    }
    const opened = openStore({ path, keyStore, migrations: list.slice(0, to) });
    store = opened;
    if (opened.migratedFrom !== from || schemaVersion(opened.db) !== to) {
      throw new Error(`upgradeStore: reopening went from ${opened.migratedFrom} to ${schemaVersion(opened.db)}, not ${from} to ${to}`);
    }
    return {
      store: opened,
      before,
      rowsNow: () => tableRows(opened.db, columns),
      close() {
        opened.close();
        dir.cleanup();
      },
    };
  } catch (error) {
    store?.close();
    dir.cleanup();
    throw error;
  }
}
