import type { Database } from 'better-sqlite3-multiple-ciphers';
import { planMigrations } from '../../sync/protocol/migration-plan.js';
import type { MigrationStep } from '../../sync/protocol/migration-plan.js';

export type Migration = MigrationStep & {
  /** 1, 2, 3 … with no gaps; stored in `PRAGMA user_version`. */
  version: number;
  name: string;
  /** Additive changes only: devices on different app versions sync against one HQ. */
  up: (db: Database) => void;
  /**
   * The migration rebuilds a table (a new table, the rows copied, the old one dropped, the new one
   * renamed: SQLite's way to change a constraint), so foreign keys are off while it runs, as
   * SQLite's procedure requires: with them on, dropping a parent table deletes its rows first and
   * checks every child for each. The rows are copied as they were, so every reference that held
   * before holds after (the upgrade test checks `foreign_key_check`); the device does not check
   * them all at the upgrade, since a store mid-provisioning may legitimately hold rows whose parent
   * is still on its way (sync/client/apply.ts). They are off for the whole run of pending
   * migrations it is part of (one transaction), not only for its own `up`.
   */
  rebuildsTables?: boolean;
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
export type MigrateOptions = {
  /**
   * Runs in the migrations' transaction before the first of them, only when there is one to run:
   * the device's sync builds the indexes a provisioning deferred (sync/client/deferred-indexes.ts),
   * so that the migrations find the schema their predecessors made.
   */
  beforeMigrations?: (db: Database) => void;
};

export function migrate(db: Database, migrations: readonly Migration[], options: MigrateOptions = {}): { from: number; to: number } {
  const { from, to, pending } = planMigrations(migrations, schemaVersion(db), 'device');
  if (pending.length === 0) return { from, to };
  // The pragma cannot change inside a transaction; it is restored however the migration ends.
  const enforced = pending.some((m) => m.rebuildsTables) && (db.pragma('foreign_keys', { simple: true }) as number) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      options.beforeMigrations?.(db);
      for (const m of pending) m.up(db);
      db.pragma(`user_version = ${to}`);
    }).immediate();
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
  return { from, to };
}
