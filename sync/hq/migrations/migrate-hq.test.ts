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

/** HQ's own migrations: the test-only ones below come after them. */
const N = HQ_MIGRATIONS.length;
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Small test-only migrations after HQ's own, each creating one table. */
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
      await db.query(`INSERT INTO hq_migration (version, name) VALUES ($1, 'from-a-newer-hq')`, [N + 1]);
      const error = await rejection(migrateHq(db));
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect(error).toMatchObject({ code: 'schema_too_new', owner: 'hq', found: N + 1, supported: N });
      expect((error as Error).message).toBe(
        `The HQ database is at schema version ${N + 1}, but this HQ only knows up to ${N}. Update HQ; the data is left untouched.`,
      );
      expect(await rejection(createHqServer({ db, port: 0, log: () => undefined }))).toBeInstanceOf(SchemaTooNewError);
      expect(await history(db)).toEqual(upTo(N + 1));
    } finally {
      await db.close();
    }
  });

  it('refuses a database whose hq_migration has a gap (edited by hand) and runs nothing on it', async () => {
    const db = await open();
    try {
      const list = [...HQ_MIGRATIONS, next(N + 1), next(N + 2)];
      await migrateHq(db, list);
      await db.query('DELETE FROM hq_migration WHERE version = $1', [N + 1]);
      const recorded = [...upTo(N), N + 2];
      for (const migrations of [list, [...list, next(N + 3)]]) {
        const error = await rejection(migrateHq(db, migrations));
        expect(error).toBeInstanceOf(SchemaHistoryError);
        expect(error).toMatchObject({ code: 'schema_history_invalid', recorded });
        expect((error as Error).message).toMatch(
          new RegExp(`The HQ database records migrations 1–${N}, ${N + 2}, not 1 to ${N + 2} .*version ${N + 1} is missing`),
        );
      }
      expect(await tableExists(db, `test_${N + 3}`)).toBe(false);
      expect(await history(db)).toEqual(recorded);
    } finally {
      await db.close();
    }
  });

  it('refuses a broken migration list before touching the database', async () => {
    const db = await open();
    try {
      for (const broken of [[...HQ_MIGRATIONS, next(N + 2)], [...HQ_MIGRATIONS, { ...next(N + 1), version: 1 }], [next(2)]]) {
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
        version: N + 2,
        name: 'fails',
        up: async (sql) => {
          await sql.exec('CREATE TABLE half_done (id integer)');
          throw new Error('boom');
        },
      };
      await expect(migrateHq(db, [...HQ_MIGRATIONS, next(N + 1), failing])).rejects.toThrow('boom');
      expect(await history(db)).toEqual(upTo(N));
      expect(await tableExists(db, `test_${N + 1}`)).toBe(false);
      expect(await tableExists(db, 'half_done')).toBe(false);
      expect(await migrateHq(db, [...HQ_MIGRATIONS, next(N + 1)])).toBe(N + 1);
      expect(await history(db)).toEqual(upTo(N + 1));
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
      expect(await Promise.all([migrateHq(first), migrateHq(second)])).toEqual([N, N]);
      expect(await history(first)).toEqual(upTo(N));
    } finally {
      await first.close();
      if (second !== first) await second.close();
    }
  });
});
