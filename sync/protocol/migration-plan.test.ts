import { describe, expect, it } from 'vitest';
import { MigrationListError, planMigrations, SchemaHistoryError, SchemaTooNewError, versionFromHistory } from './migration-plan.js';

const list = (...versions: number[]) => versions.map((version, i) => ({ version, name: `m${i + 1}` }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('the migration plan', () => {
  it('runs everything on an empty database, the rest on an older one, nothing on a current one', () => {
    const migrations = list(1, 2, 3);
    expect(planMigrations(migrations, 0, 'device')).toEqual({ from: 0, to: 3, pending: migrations });
    expect(planMigrations(migrations, 1, 'hq')).toEqual({ from: 1, to: 3, pending: migrations.slice(1) });
    expect(planMigrations(migrations, 3, 'hq')).toEqual({ from: 3, to: 3, pending: [] });
    expect(planMigrations([], 0, 'hq')).toEqual({ from: 0, to: 0, pending: [] });
  });

  it('refuses a database newer than the app, saying which versions and what to do', () => {
    const device = thrown(() => planMigrations(list(1, 2), 3, 'device'));
    expect(device).toBeInstanceOf(SchemaTooNewError);
    expect(device).toMatchObject({ name: 'SchemaTooNewError', code: 'schema_too_new', owner: 'device', found: 3, supported: 2 });
    expect((device as Error).message).toBe(
      'The local store is at schema version 3, but this app only knows up to 2. Update the app; the data is left untouched.',
    );
    const hq = thrown(() => planMigrations(list(1), 2, 'hq'));
    expect(hq).toMatchObject({ name: 'SchemaTooNewError', owner: 'hq', found: 2, supported: 1 });
    expect((hq as Error).message).toMatch(/HQ database is at schema version 2, but this HQ only knows up to 1\. Update HQ/);
  });

  it.each([
    ['a gap', list(1, 3), /Migration m2 has version 3, expected 2: version 2 is missing/],
    ['a duplicate', list(1, 2, 2), /Migration m3 has version 2, expected 3: m2 already has version 2/],
    ['a list not starting at 1', list(2), /Migration m1 has version 2, expected 1/],
    ['a list out of order', list(2, 1), /Migration m1 has version 2, expected 1: the list is out of order \(m2 has version 1\)/],
    ['a version that is not a whole number', list(1, 1.5), /has version 1.5, expected 2: versions are 1, 2, 3/],
  ])('refuses a migration list with %s, whatever the database', (_what, migrations, message) => {
    for (const current of [0, 1, 5]) {
      const error = thrown(() => planMigrations(migrations, current, 'device'));
      expect(error).toBeInstanceOf(MigrationListError);
      expect(error).toMatchObject({ code: 'migration_list_invalid' });
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses a nameless migration', () => {
    expect(() => planMigrations([{ version: 1, name: ' ' }], 0, 'hq')).toThrow(MigrationListError);
  });

  it('refuses a version no migration leaves (a hand-set negative user_version)', () => {
    const error = thrown(() => planMigrations(list(1), -1, 'device'));
    expect(error).toBeInstanceOf(SchemaHistoryError);
    expect(error).toMatchObject({ code: 'schema_history_invalid', owner: 'device', recorded: [-1] });
  });
});

describe('a recorded migration history', () => {
  it('is at version n when it holds exactly 1..n, in any order', () => {
    expect(versionFromHistory([], 'hq')).toBe(0);
    expect(versionFromHistory([1], 'hq')).toBe(1);
    expect(versionFromHistory([3, 1, 2], 'hq')).toBe(3);
  });

  it.each([
    ['a gap', [1, 3], 2],
    ['a missing first migration', [2, 3], 1],
    ['a repeated version', [1, 1, 2], 2],
    ['a version 0', [0, 1], 1],
  ])('is refused with %s', (_what, recorded, missing) => {
    const error = thrown(() => versionFromHistory(recorded, 'hq'));
    expect(error).toBeInstanceOf(SchemaHistoryError);
    expect(error).toMatchObject({ name: 'SchemaHistoryError', code: 'schema_history_invalid', owner: 'hq' });
    expect((error as Error).message).toMatch(new RegExp(`The HQ database records migrations .*version ${missing} is missing or repeated`));
    expect((error as Error).message).toMatch(/edited by hand/);
  });

  it('names the versions it holds as runs, so the gap of a long history shows', () => {
    const message = (recorded: number[]) => (thrown(() => versionFromHistory(recorded, 'hq')) as Error).message;
    expect(message([...Array.from({ length: 12 }, (_, i) => i + 1), 14])).toMatch(
      /records migrations 1–12, 14, not 1 to 14 .*version 13 is missing/,
    );
    expect(message([1, 2, 2, 3, 5])).toMatch(/records migrations 1–2, 2–3, 5, not 1 to 5 .*version 3 is missing or repeated/);
    const scattered = Array.from({ length: 14 }, (_, i) => 2 * i + 1);
    expect(message(scattered)).toMatch(/records migrations 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, …, not 1 to 27 /);
  });
});
