import type { Database } from 'better-sqlite3-multiple-ciphers';
import { planMigrations } from '../../sync/protocol/migration-plan.js';
import type { MigrationStep } from '../../sync/protocol/migration-plan.js';

export type Migration = MigrationStep & {
  /** 1, 2, 3 … with no gaps; stored in `PRAGMA user_version`. */
  version: number;
  name: string;
  /** Additive changes only: devices on different app versions sync against one HQ. */
  up: (db: Database) => void;
};

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to the newest schema in one transaction: after a crash it is either at
 * the old version or at the new one, never between. The version rules are HQ's too
 * (sync/protocol/migration-plan.ts): a broken list throws MigrationListError, a database newer
 * than the app SchemaTooNewError.
 */
export function migrate(db: Database, migrations: readonly Migration[]): { from: number; to: number } {
  const { from, to, pending } = planMigrations(migrations, schemaVersion(db), 'device');
  if (pending.length === 0) return { from, to };
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`user_version = ${to}`);
  }).immediate();
  return { from, to };
}
