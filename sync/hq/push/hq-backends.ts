import { findPostgresBinaries } from '../../testing/postgres-binaries.js';
import { postgresForTests } from '../../testing/postgres-server.js';
import type { PostgresServer } from '../../testing/postgres-server.js';
import { openHqDb } from '../db.js';
import type { HqDb } from '../db.js';
import { migrateHq } from '../migrate.js';

/** Tests run on PGlite always, and on a real PostgreSQL when one can run here (or DATABASE_URL). */
export const HQ_BACKENDS: readonly ('pglite' | 'postgres')[] =
  process.env.DATABASE_URL !== undefined || findPostgresBinaries() !== null ? ['pglite', 'postgres'] : ['pglite'];

let server: Promise<PostgresServer | null> | null = null;

/** One private PostgreSQL per test file (stopped by stopTestPostgres, or by its watchdog). */
export function testPostgres(): Promise<PostgresServer | null> {
  server ??= postgresForTests({ lifetimeS: 600 });
  return server;
}

export async function stopTestPostgres(): Promise<void> {
  const s = await server;
  server = null;
  await s?.stop();
}

/** A migrated HQ database on the backend: a fresh PGlite in memory, or a fresh database on the test server. */
export async function openTestHq(kind: 'pglite' | 'postgres'): Promise<{ db: HqDb; url: string | null }> {
  if (kind === 'pglite') {
    const db = await openHqDb({});
    await migrateHq(db);
    return { db, url: null };
  }
  const pgServer = await testPostgres();
  if (!pgServer) throw new Error('no PostgreSQL for tests');
  const url = await pgServer.freshDatabase('hq');
  const db = await openHqDb({ databaseUrl: url, poolSize: 8 });
  await migrateHq(db);
  return { db, url };
}

/** Empties every HQ table (a fresh PGlite costs seconds; a TRUNCATE costs milliseconds). */
export async function resetHq(db: HqDb): Promise<void> {
  const rows = await db.query<{ t: string }>("SELECT string_agg(quote_ident(tablename), ', ') AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'hq_migration'");
  await db.exec(`TRUNCATE ${rows[0]?.t ?? ''} RESTART IDENTITY CASCADE`);
}
