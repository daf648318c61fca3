import { openHqDb } from '../db.js';
import type { HqDb } from '../db.js';
import { migrateHq } from '../migrate.js';
import type { HqMigration } from '../migrate.js';
import { HQ_MIGRATIONS } from '../migrations/index.js';
import type { TestBackend } from './backends.js';

/** Rows per table, each row as column → value (as JSON: timestamps as text), in a stable order. */
export type HqTableRows = Record<string, Record<string, unknown>[]>;

/** The tables of the public schema and their columns, as they are now (hq_migration left out: an upgrade adds to it). */
export async function hqTableColumns(db: HqDb): Promise<Record<string, string[]>> {
  const rows = await db.query<{ table_name: string; columns: string[] }>(
    `SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'hq_migration'
      GROUP BY table_name ORDER BY table_name`,
  );
  return Object.fromEntries(rows.map((r) => [r.table_name, r.columns]));
}

/** Every row of the given tables, only the given columns (a later migration may add columns). */
export async function hqTableRows(db: HqDb, columns: Record<string, string[]>): Promise<HqTableRows> {
  const result: HqTableRows = {};
  for (const [table, cols] of Object.entries(columns)) {
    const list = cols.map((c) => `"${c}"`).join(', ');
    const rows = await db.query<{ r: string }>(`SELECT to_jsonb(x)::text AS r FROM (SELECT ${list} FROM "${table}") AS x ORDER BY 1`);
    result[table] = rows.map((row) => JSON.parse(row.r) as Record<string, unknown>);
  }
  return result;
}

export type HqUpgrade = {
  /** The database, migrated to version `to` after the seed. */
  db: HqDb;
  /** Every row of every table at version `from`, after the seed (empty for `from: 0`). */
  before: HqTableRows;
  /** The same tables and columns as `before`, read now: equal to `before` if the upgrade kept the data. */
  rowsNow(): Promise<HqTableRows>;
  close(): Promise<void>;
};

export type HqUpgradeOptions = {
  /** The version the database is made at (0: an empty database, not even hq_migration). */
  from: number;
  /** Default `from + 1`. */
  to?: number;
  /** Default: HQ's migrations. */
  migrations?: readonly HqMigration[];
  /**
   * Writes the rows the upgrade must keep, in the schema of version `from`: plain SQL as that
   * version had it (see hq-rows.ts), never today's HQ code, which writes today's schema.
   */
  seed?: (db: HqDb) => Promise<void>;
};

/**
 * The HQ side of "every migration comes with an upgrade test": a fresh database on `backend`
 * (PGlite or PostgreSQL, see backends.ts) migrated to `from` by migrateHq, seeded, then migrated
 * to `to` by migrateHq — what happens when an updated HQ starts on an existing database.
 */
export async function upgradeHq(backend: TestBackend, options: HqUpgradeOptions): Promise<HqUpgrade> {
  const list = options.migrations ?? HQ_MIGRATIONS;
  const { from } = options;
  const to = options.to ?? from + 1;
  if (!(from >= 0 && from < to && to <= list.length))
    throw new Error(`upgradeHq: no upgrade from ${from} to ${to} in ${list.length} migrations`);
  const db = await openHqDb({ databaseUrl: await backend.databaseUrl(), poolSize: 4 });
  try {
    if (from > 0) await migrateHq(db, list.slice(0, from));
    await options.seed?.(db);
    const columns = await hqTableColumns(db);
    const before = await hqTableRows(db, columns);
    const reached = await migrateHq(db, list.slice(0, to));
    if (reached !== to) throw new Error(`upgradeHq: migrated to ${reached}, not ${to}`);
    return { db, before, rowsNow: () => hqTableRows(db, columns), close: () => db.close() };
  } catch (error) {
    await db.close();
    throw error;
  }
}
