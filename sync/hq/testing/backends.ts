import { postgresForTests } from '../../testing/postgres-server.js';
import type { PostgresServer } from '../../testing/postgres-server.js';

/** The HQ backends every HQ test runs on: PGlite always, PostgreSQL when its binaries (or DATABASE_URL) exist. */
export type TestBackend = { name: 'pglite' | 'postgres'; databaseUrl(): Promise<string | undefined> };

/**
 * One PostgreSQL server per test file (started lazily, stopped by `stopBackends`); each call of
 * `databaseUrl()` on it makes a fresh database.
 */
export function testBackends(): { backends: TestBackend[]; stopBackends(): Promise<void> } {
  let server: Promise<PostgresServer | null> | null = null;
  const postgres = (): Promise<PostgresServer | null> => (server ??= postgresForTests({ lifetimeS: 600 }));
  return {
    backends: [
      { name: 'pglite', databaseUrl: async () => undefined },
      {
        name: 'postgres',
        async databaseUrl() {
          const s = await postgres();
          if (!s) throw new Error('no PostgreSQL here (install postgresql or set DATABASE_URL)');
          return s.freshDatabase('hq');
        },
      },
    ],
    async stopBackends() {
      if (server) await (await server)?.stop();
    },
  };
}
