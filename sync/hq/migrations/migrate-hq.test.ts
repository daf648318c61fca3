import { afterAll, describe, expect, it } from 'vitest';
import { MigrationListError, SchemaHistoryError, SchemaTooNewError } from '../../protocol/migration-plan.js';
import { openHqDb } from '../db.js';
import type { HqDb } from '../db.js';
import { migrateHq } from '../migrate.js';
import type { HqMigration } from '../migrate.js';
import { createHqServer } from '../server.js';
import { testBackends } from '../testing/backends.js';
import { HQ_MIGRATIONS } from './index.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/** Small test-only migrations after 0001, each creating one table. */
const next = (version: number): HqMigration => ({
  version,
  name: `test-${version}`,
  up: (sql) => sql.exec(`CREATE TABLE test_${version} (id integer PRIMARY KEY)`),
});

const tableExists = async (db: HqDb, name: string) =>
  (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]))[0]?.t === name;
const history = async (db: HqDb) =>
  (await db.query<{ version: number }>('SELECT version FROM hq_migration ORDER BY version')).map((r) => r.version);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected it to be refused');
}

describe.each(backends)('the HQ migration runner on $name', (backend) => {
  const open = async () => openHqDb({ databaseUrl: await backend.databaseUrl(), poolSize: 4 });

  it('refuses a database a newer HQ migrated, and HQ does not start on it', async () => {
    const db = await open();
    try {
      await migrateHq(db);
      await db.query(`INSERT INTO hq_migration (version, name) VALUES (2, 'from-a-newer-hq')`);
      const error = await rejection(migrateHq(db));
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect(error).toMatchObject({ code: 'schema_too_new', owner: 'hq', found: 2, supported: 1 });
      expect((error as Error).message).toBe(
        'The HQ database is at schema version 2, but this HQ only knows up to 1. Update HQ; the data is left untouched.',
      );
      expect(await rejection(createHqServer({ db, port: 0, log: () => undefined }))).toBeInstanceOf(SchemaTooNewError);
      expect(await history(db)).toEqual([1, 2]);
    } finally {
      await db.close();
    }
  });

  it('refuses a database whose hq_migration has a gap (edited by hand) and runs nothing on it', async () => {
    const db = await open();
    try {
      const list = [...HQ_MIGRATIONS, next(2), next(3)];
      await migrateHq(db, list);
      await db.query('DELETE FROM hq_migration WHERE version = 2');
      for (const migrations of [list, [...list, next(4)]]) {
        const error = await rejection(migrateHq(db, migrations));
        expect(error).toBeInstanceOf(SchemaHistoryError);
        expect(error).toMatchObject({ code: 'schema_history_invalid', recorded: [1, 3] });
        expect((error as Error).message).toMatch(/The HQ database records migrations 1, 3, .*version 2 is missing/);
      }
      expect(await tableExists(db, 'test_4')).toBe(false);
      expect(await history(db)).toEqual([1, 3]);
    } finally {
      await db.close();
    }
  });

  it('refuses a broken migration list before touching the database', async () => {
    const db = await open();
    try {
      for (const broken of [[...HQ_MIGRATIONS, next(3)], [...HQ_MIGRATIONS, { ...next(2), version: 1 }], [next(2)]]) {
        const error = await rejection(migrateHq(db, broken));
        expect(error).toBeInstanceOf(MigrationListError);
        expect(error).toMatchObject({ code: 'migration_list_invalid' });
      }
      expect(await tableExists(db, 'hq_migration')).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('runs the pending migrations in one transaction: a failing one leaves the previous version whole', async () => {
    const db = await open();
    try {
      await migrateHq(db);
      const failing: HqMigration = {
        version: 3,
        name: 'fails',
        up: async (sql) => {
          await sql.exec('CREATE TABLE half_done (id integer)');
          throw new Error('boom');
        },
      };
      await expect(migrateHq(db, [...HQ_MIGRATIONS, next(2), failing])).rejects.toThrow('boom');
      expect(await history(db)).toEqual([1]);
      expect(await tableExists(db, 'test_2')).toBe(false);
      expect(await tableExists(db, 'half_done')).toBe(false);
      expect(await migrateHq(db, [...HQ_MIGRATIONS, next(2)])).toBe(2);
      expect(await history(db)).toEqual([1, 2]);
    } finally {
      await db.close();
    }
  });

  it('lets two HQ processes start on one database at once: one migrates, the other finds nothing to do', async () => {
    const url = await backend.databaseUrl();
    // Two pools on PostgreSQL, as two processes would have; PGlite is one process, so one handle twice.
    const first = await openHqDb({ databaseUrl: url, poolSize: 2 });
    const second = url ? await openHqDb({ databaseUrl: url, poolSize: 2 }) : first;
    try {
      expect(await Promise.all([migrateHq(first), migrateHq(second)])).toEqual([1, 1]);
      expect(await history(first)).toEqual([1]);
    } finally {
      await first.close();
      if (second !== first) await second.close();
    }
  });
});
