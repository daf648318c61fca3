import { planMigrations, validateMigrationList, versionFromHistory } from '../protocol/migration-plan.js';
import type { MigrationStep } from '../protocol/migration-plan.js';
import type { HqDb, Sql } from './db.js';
import { HQ_MIGRATIONS } from './migrations/index.js';

/** One HQ schema change: numbered, additive only, run in one transaction. */
export type HqMigration = MigrationStep & { version: number; name: string; up: (sql: Sql) => Promise<void> };

/** Held for the whole migration transaction: a second HQ process starting at once waits here. */
const MIGRATION_LOCK = 5317001;

/**
 * Brings the database to the newest schema, with the device's version rules
 * (sync/protocol/migration-plan.ts). Two HQ processes may start together: an advisory lock makes
 * the second wait and then find nothing to do. Refused, with nothing changed: a broken list
 * (MigrationListError), a database newer than this HQ (SchemaTooNewError: an older HQ must not
 * write to a schema it does not know) and an `hq_migration` that is not exactly 1..n
 * (SchemaHistoryError: someone edited it, so what the database holds is unknown).
 */
export async function migrateHq(db: HqDb, migrations: readonly HqMigration[] = HQ_MIGRATIONS): Promise<number> {
  // A code error: refuse before taking the lock or creating anything.
  validateMigrationList(migrations);
  return db.tx(async (sql) => {
    await sql.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await sql.query(
      'CREATE TABLE IF NOT EXISTS hq_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const recorded = await sql.query<{ version: number }>('SELECT version FROM hq_migration ORDER BY version');
    const current = versionFromHistory(
      recorded.map((r) => r.version),
      'hq',
    );
    const { to, pending } = planMigrations(migrations, current, 'hq');
    for (const m of pending) {
      await m.up(sql);
      await sql.query('INSERT INTO hq_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return to;
  });
}
