import type { HqDb, Sql } from './db.js';
import { HQ_MIGRATIONS } from './migrations/index.js';

/** One HQ schema change: numbered, additive only, run in one transaction. */
export type HqMigration = { version: number; name: string; up: (sql: Sql) => Promise<void> };

export class HqSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the HQ database is at schema ${found}, newer than this HQ (${known}); update HQ`);
  }
}

/**
 * Brings the database to the newest schema. Two HQ processes may start together: an advisory
 * lock makes the second wait and then find nothing to do. A database newer than this HQ is
 * refused (an older HQ must not write to a schema it does not know).
 */
export async function migrateHq(db: HqDb, migrations: readonly HqMigration[] = HQ_MIGRATIONS): Promise<number> {
  const known = migrations.at(-1)?.version ?? 0;
  return db.tx(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock(5317001)');
    await sql.query(
      'CREATE TABLE IF NOT EXISTS hq_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const [row] = await sql.query<{ v: number | null }>('SELECT max(version) AS v FROM hq_migration');
    const current = row?.v ?? 0;
    if (current > known) throw new HqSchemaError(current, known);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await m.up(sql);
      await sql.query('INSERT INTO hq_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return known;
  });
}
