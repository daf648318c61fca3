import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What HQ code runs SQL through: a connection, or a transaction. */
export type Sql = {
  /**
   * `name` makes it a named prepared statement on PostgreSQL (parsed and planned once per
   * connection): for the hot statements every device request runs. Only for fixed SQL text.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: { name?: string }): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
};

/**
 * HQ's database: PostgreSQL through `pg`, or PGlite (the same SQL, in-process, data in a folder)
 * as the embedded default. HQ code uses only this, so every test runs on both.
 */
export type HqDb = Sql & {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction (READ COMMITTED); rolls back if it throws. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; NOTIFYs from any HQ process on the same database arrive here. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export type HqDbOptions = {
  databaseUrl?: string;
  pgliteDir?: string;
  log?: (message: string, detail?: unknown) => void;
  poolSize?: number;
};

/** DATABASE_URL → a real PostgreSQL server; otherwise PGlite in `pgliteDir` (or in memory). */
export async function openHqDb(options: HqDbOptions): Promise<HqDb> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.pgliteDir);
}

async function openPostgres(url: string, options: HqDbOptions): Promise<HqDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 20 });
  // An idle client that loses its server must not crash HQ: the next query reconnects.
  pool.on('error', (error) => options.log?.('postgres pool error', error.message));
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[], name?: string): Promise<R[]> =>
    (await client.query({ text, values: params as unknown[] | undefined, name })).rows as R[];
  await run(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params, options) => run(pool, text, params, options?.name),
    exec: async (text) => {
      await pool.query(text);
    },
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (text, params, options) => run(client, text, params, options?.name),
          exec: async (text) => {
            await client.query(text);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', (error) => options.log?.('postgres listener error', error.message));
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel) onPayload(n.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string | undefined): Promise<HqDb> {
  const db = await PGlite.create(dir ? { dataDir: dir } : {});
  // PGlite is PostgreSQL in single-user mode: after a crash it replays its log at open. A
  // checkpoint then, and one before closing, puts everything committed into the data files
  // instead of trusting the log across several crash recoveries (a fault test lost a committed
  // batch once after two SIGKILLs and a clean stop; cause not found).
  if (dir) await db.exec('CHECKPOINT');
  // PGlite runs one statement at a time: its transaction() holds the connection for the whole
  // transaction, and plain queries wait for it.
  return {
    kind: 'pglite',
    query: async (text, params) => (await db.query(text, params as unknown[] | undefined)).rows as never[],
    exec: async (text) => {
      await db.exec(text);
    },
    tx: (fn) =>
      db.transaction((t) =>
        fn({
          query: async (text, params) => (await t.query(text, params as unknown[] | undefined)).rows as never[],
          exec: async (text) => {
            await t.exec(text);
          },
        }),
      ),
    async listen(channel, onPayload) {
      const stop = await db.listen(channel, onPayload);
      return async () => stop();
    },
    async close() {
      if (dir) await db.exec('CHECKPOINT').catch(() => undefined);
      await db.close();
    },
  };
}
