import type { Database } from 'better-sqlite3-multiple-ciphers';

export type Migration = {
  /** 1, 2, 3 … with no gaps; stored in `PRAGMA user_version`. */
  version: number;
  name: string;
  /** Additive changes only: devices on different app versions sync against one HQ. */
  up: (db: Database) => void;
};

export class StoreTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The local store is at schema version ${found}, but this app only knows up to ${supported}. Update the app; the data is left untouched.`,
    );
    this.name = 'StoreTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to the newest schema in one transaction: after a crash it is either at
 * the old version or at the new one, never between. Refuses a database newer than the app.
 */
export function migrate(db: Database, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) throw new StoreTooNewError(from, latest);
  if (from === latest) return { from, to: latest };
  db.transaction(() => {
    for (const m of migrations.slice(from)) m.up(db);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return { from, to: latest };
}
