/**
 * The version rules of a schema, written once for both databases: the device store (SQLite,
 * version in `PRAGMA user_version`) and HQ (PostgreSQL, versions in `hq_migration`). Given the
 * app's migrations and the database's version, it says what to run and which databases to
 * refuse. Each runner applies the plan its own way (device: one IMMEDIATE transaction; HQ: one
 * transaction under an advisory lock), so this module runs no SQL and imports neither side.
 */

/** What the plan needs of a migration; each side's migration type adds its `up`. */
export type MigrationStep = { readonly version: number; readonly name: string };

/** Whose schema it is: only the wording of the errors differs. */
export type SchemaOwner = 'device' | 'hq';

export type MigrationPlan<M extends MigrationStep> = {
  /** The database's version before the plan runs (0: empty). */
  from: number;
  /** The version after it: the newest migration the app knows. */
  to: number;
  /** The migrations to run, in order (empty: nothing to do). */
  pending: readonly M[];
};

/** The app's own list of migrations is broken: a code error, caught by any test that migrates. */
export class MigrationListError extends Error {
  readonly code = 'migration_list_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationListError';
  }
}

/**
 * The database was migrated by a newer app. An older app must not write to a schema it does not
 * know (devices of several versions share one HQ, so the newer schema may hold what it would break).
 */
export class SchemaTooNewError extends Error {
  readonly code = 'schema_too_new';
  constructor(
    readonly owner: SchemaOwner,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      owner === 'device'
        ? `The local store is at schema version ${found}, but this app only knows up to ${supported}. Update the app; the data is left untouched.`
        : `The HQ database is at schema version ${found}, but this HQ only knows up to ${supported}. Update HQ; the data is left untouched.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * The database's record of its own versions cannot have been made by migrations (a gap in
 * `hq_migration`, a negative `user_version`): someone edited it. Nothing is run on it, since
 * which migrations it really has is unknown.
 */
export class SchemaHistoryError extends Error {
  readonly code = 'schema_history_invalid';
  constructor(
    readonly owner: SchemaOwner,
    readonly recorded: readonly number[],
    message: string,
  ) {
    super(message);
    this.name = 'SchemaHistoryError';
  }
}

const DATABASE: Record<SchemaOwner, string> = { device: 'The local store', hq: 'The HQ database' };

/** Versions must be 1, 2, 3 … in list order: no gap, no duplicate, nothing out of order. */
export function validateMigrationList(migrations: readonly MigrationStep[]): void {
  migrations.forEach((m, i) => {
    const expected = i + 1;
    if (m.version === expected) return;
    const earlier = migrations.slice(0, i).find((e) => e.version === m.version);
    const later = migrations.slice(i + 1).find((l) => l.version === expected);
    const why = earlier
      ? `${earlier.name} already has version ${m.version}`
      : later
        ? `the list is out of order (${later.name} has version ${expected})`
        : Number.isInteger(m.version) && m.version > expected
          ? `version ${expected} is missing`
          : 'versions are 1, 2, 3 … in list order';
    throw new MigrationListError(`Migration ${m.name} has version ${m.version}, expected ${expected}: ${why}`);
  });
  for (const m of migrations) {
    if (m.name.trim() === '') throw new MigrationListError(`Migration ${m.version} has no name`);
  }
}

/**
 * What to run on a database at version `current` (0 for an empty one). Throws
 * MigrationListError for a broken list, SchemaTooNewError for a database newer than the list,
 * SchemaHistoryError for a version no migration can have left.
 */
export function planMigrations<M extends MigrationStep>(migrations: readonly M[], current: number, owner: SchemaOwner): MigrationPlan<M> {
  validateMigrationList(migrations);
  if (!Number.isInteger(current) || current < 0) {
    throw new SchemaHistoryError(owner, [current], `${DATABASE[owner]} records schema version ${current}, which no migration makes.`);
  }
  const latest = migrations.length;
  if (current > latest) throw new SchemaTooNewError(owner, current, latest);
  return { from: current, to: latest, pending: migrations.slice(current) };
}

/**
 * The version of a database that records each migration it ran (HQ's `hq_migration`): the
 * recorded versions must be exactly 1..n, and then it is at n. Anything else is a hand-edited
 * history (SchemaHistoryError).
 */
export function versionFromHistory(recorded: readonly number[], owner: SchemaOwner): number {
  const sorted = [...recorded].sort((a, b) => a - b);
  const wrong = sorted.findIndex((v, i) => v !== i + 1);
  if (wrong === -1) return sorted.length;
  throw new SchemaHistoryError(
    owner,
    sorted,
    `${DATABASE[owner]} records migrations ${runsOf(sorted)}, not 1 to ${sorted.at(-1)} without gaps: version ${wrong + 1} is missing or repeated. ` +
      'Its history was edited by hand, so what it holds is unknown; it is left untouched until someone repairs it.',
  );
}

/**
 * Sorted versions as runs (`1–12, 14`), so a long history shows where its gap is; past 12 runs
 * (a history no HQ wrote), the first 12 and `…`.
 */
function runsOf(sorted: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    runs.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return runs.length > 12 ? `${runs.slice(0, 12).join(', ')}, …` : runs.join(', ');
}
