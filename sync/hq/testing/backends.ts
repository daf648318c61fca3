import { postgresForTests } from '../../testing/postgres-server.js';
import type { PostgresServer } from '../../testing/postgres-server.js';
import { openHqDb } from '../db.js';
import type { HqDb } from '../db.js';
import { migrateHq } from '../migrate.js';

/** The HQ backends every HQ test runs on: PGlite always, PostgreSQL when its binaries (or DATABASE_URL) exist. */
export type TestBackend = { name: 'pglite' | 'postgres'; databaseUrl(): Promise<string | undefined> };

/**
 * One PostgreSQL server per test file (started lazily, stopped by `stopBackends`); each call of
 * `databaseUrl()` on it makes a fresh database. `SF_HQ_TEST_BACKENDS` (names, comma-separated)
 * keeps only those backends: `npm run mutation` runs HQ tests on PGlite only, since every mutant
 * reruns them and the same SQL on both backends makes each mutant's run about half as slow again.
 */
export function testBackends(): { backends: TestBackend[]; stopBackends(): Promise<void> } {
  let server: Promise<PostgresServer | null> | null = null;
  const postgres = (): Promise<PostgresServer | null> => (server ??= postgresForTests({ lifetimeS: 600 }));
  const only = (process.env.SF_HQ_TEST_BACKENDS ?? '').split(',').filter(Boolean);
  const all: TestBackend[] = [
    { name: 'pglite', databaseUrl: async () => undefined },
    {
      name: 'postgres',
      async databaseUrl() {
        const s = await postgres();
        if (!s) throw new Error('no PostgreSQL here (install postgresql or set DATABASE_URL)');
        return s.freshDatabase('hq');
      },
    },
  ];
  const unknown = only.filter((name) => !all.some((b) => b.name === name));
  // A misspelt name would leave a test file with no backend, and its tests would pass by not running.
  if (unknown.length > 0) throw new Error(`SF_HQ_TEST_BACKENDS names no backend ${unknown.join(', ')} (known: pglite, postgres)`);
  return {
    backends: only.length > 0 ? all.filter((b) => only.includes(b.name)) : all,
    async stopBackends() {
      if (server) await (await server)?.stop();
    },
  };
}

/** A migrated HQ database with no data on the backend (for tests that seed their own rows), and its URL on PostgreSQL. */
export async function openEmptyHq(backend: TestBackend): Promise<{ db: HqDb; url: string | undefined }> {
  const url = await backend.databaseUrl();
  const db = await openHqDb({ databaseUrl: url, poolSize: 8 });
  await migrateHq(db);
  return { db, url };
}

/** Empties every HQ table (a fresh PGlite costs seconds; a TRUNCATE costs milliseconds). */
export async function resetHq(db: HqDb): Promise<void> {
  const rows = await db.query<{ t: string }>(
    "SELECT string_agg(quote_ident(tablename), ', ') AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'hq_migration'",
  );
  await db.exec(`TRUNCATE ${rows[0]?.t ?? ''} RESTART IDENTITY CASCADE`);
}
