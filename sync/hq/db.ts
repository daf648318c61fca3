import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  DatabaseUnavailableError,
  createHostSelector,
  failoverClientClass,
  isFailedConnect,
  needsHostSelection,
  parsePgTarget,
} from './pg-hosts.js';
import { encodeArrayParams, pgliteParam } from './pg-arrays.js';

/** What HQ code runs SQL through: a connection, or a transaction. */
export type Sql = {
  /**
   * `name` makes it a named prepared statement on PostgreSQL (parsed once per connection): for the
   * hot statements every device request runs. Only for fixed SQL text. `genericPlan` (outside a
   * transaction) also plans it once: PostgreSQL may otherwise plan such a statement again on every
   * call, for each call's parameters — right for a statement whose plan depends on them, waste for
   * one whose plan never does.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
};

export type QueryOptions = { name?: string; genericPlan?: boolean };

/** PostgreSQL's SQLSTATE of an error ('' for anything else). */
export function sqlState(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** Class 22 (data exception) and 23 (integrity constraint): the data's fault (a device's event), not HQ's. */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state.startsWith('22') || state.startsWith('23');
}

/**
 * The database connection broke or the server cannot take writes right now — a PostgreSQL restart
 * or failover: nothing of the statement's transaction was kept (or, for a COMMIT cut off, it may
 * have been: an idempotent retry settles it). HQ answers 503 `unavailable`, which devices retry
 * with backoff. Node socket errors, pg's own "Connection terminated…", SQLSTATE class 08
 * (connection exception), 57P01–57P03 (shutdown, crash, not accepting connections yet), 25006
 * (read-only transaction: a demoted primary), and no writable server found (pg-hosts.ts).
 */
export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (error instanceof DatabaseUnavailableError || state.startsWith('08') || ['57P01', '57P02', '57P03', '25006'].includes(state))
    return true;
  if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|CONNABORTED)$/.test(state)) return true;
  const message = error instanceof Error ? error.message : '';
  return /^Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect/.test(
    message,
  );
}

/** SQLSTATEs of a transaction PostgreSQL rolled back for another's sake (deadlock_detected, serialization_failure): `tx` runs it again. */
const RUN_AGAIN: ReadonlySet<string> = new Set(['40P01', '40001']);
/** Attempts of one `tx` at most. */
const TX_ATTEMPTS = 3;

/**
 * HQ's database: PostgreSQL through `pg`, or PGlite (the same SQL, in-process, data in a folder)
 * as the embedded default. HQ code uses only this, so every test runs on both.
 */
export type HqDb = Sql & {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction (READ COMMITTED); rolls back if it throws. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; NOTIFYs from any HQ process on the same database arrive here. A listening
   * connection dies with a PostgreSQL restart or failover: it is opened again with backoff and
   * LISTENs again (`events` hear of both, since what was notified in between is lost). Resolves
   * once the first LISTEN is in place; the returned function stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, events?: ListenEvents): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export type ListenEvents = {
  /** The listening connection broke: notifications are missed until onRestored. */
  onLost?(reason: string): void;
  /** Listening again after a loss: whatever was notified meanwhile was missed, act as if everything changed. */
  onRestored?(): void;
};

/** Reconnect waits of a lost listener: 250 ms doubling to 10 s, each ±50 % so HQ processes do not retry in step. */
const LISTEN_RETRY_BASE_MS = 250;
const LISTEN_RETRY_CAP_MS = 10_000;

export type HqDbOptions = {
  databaseUrl?: string;
  pgliteDir?: string;
  /** A tarball of a PGlite data folder (`dumpDataDir`) to start an empty `pgliteDir` from: see pglite-template.ts. */
  pgliteLoad?: Blob;
  log?: (message: string, detail?: unknown) => void;
  poolSize?: number;
};

/** DATABASE_URL → a real PostgreSQL server; otherwise PGlite in `pgliteDir` (or in memory). */
export async function openHqDb(options: HqDbOptions): Promise<HqDb> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.pgliteDir, options.pgliteLoad);
}

async function openPostgres(url: string, options: HqDbOptions): Promise<HqDb> {
  const size = options.poolSize ?? 20;
  // Several hosts (`h1:p1,h2:p2`) or target_session_attrs=read-write: every new connection goes to
  // the server that is primary now (pg-hosts.ts), so the pools follow a failover by themselves.
  // Any other URL is pg's own to read.
  const target = needsHostSelection(url) ? parsePgTarget(url) : null;
  const Client = target ? failoverClientClass(target, createHostSelector(target, options.log)) : pg.Client;
  const connection = {
    connectionString: target ? target.urlFor(target.hosts[0] ?? { host: '127.0.0.1', port: 5432 }) : url,
    Client: Client as unknown as pg.PoolConfig['Client'],
    // A primary that vanished without closing its sockets is noticed instead of waited on.
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...connection, max: size });
  // Connections whose named statements keep one generic plan (QueryOptions.genericPlan). Measured:
  // with a large change log PostgreSQL re-planned the feed statement on every head-of-feed poll
  // (planning 0.47 ms, running 0.05 ms: two thirds of its CPU per round trip); its plan is the
  // same index range scan whatever the cursor. A provisioning page keeps a plan for its values.
  // Nor do they start parallel workers: a provisioning's count of its scope's rows (feed.ts,
  // `feed_left`) took two, for 62–145 ms alone against 40 ms without on the bench's 214,762 rows,
  // and 437 ms with the page's own statement, HQ and the device beside it on two cores — three
  // processes doing one count while the device waited for its first page. A device's statement
  // is small; a fleet's many of them share the cores better one process each.
  const generic = new pg.Pool({
    ...connection,
    max: Math.max(2, Math.ceil(size / 2)),
    options: '-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0',
  });
  // An idle client that loses its server must not crash HQ: the next query reconnects.
  for (const p of [pool, generic]) p.on('error', (error) => options.log?.('postgres pool error', error.message));
  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[], name?: string): Promise<R[]> =>
    (await client.query({ text, values: encodeArrayParams(params), name })).rows as R[];
  // A new connection that failed before any statement went out (the primary HQ knew is gone) is
  // made once more: the host selector has forgotten that primary and finds the promoted one.
  const connect = (p: pg.Pool): Promise<pg.PoolClient> =>
    p.connect().catch((error: unknown) => (isFailedConnect(error) ? p.connect() : Promise.reject(error)));
  const runOnPool = async <R>(p: pg.Pool, text: string, params?: readonly unknown[], name?: string): Promise<R[]> => {
    const client = await connect(p);
    try {
      const rows = await run<R>(client, text, params, name);
      client.release();
      return rows;
    } catch (error) {
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  };
  /** One attempt of `tx`. */
  const txOnce = async <T>(fn: (sql: Sql) => Promise<T>): Promise<T> => {
    const client = await connect(pool);
    // The pool listens for errors only on idle clients: a connection lost between two statements
    // of this transaction (a failover) would otherwise be an unhandled 'error' that ends HQ. Its
    // next statement fails instead, and the request is answered 503.
    const onError = (error: Error) => options.log?.('postgres connection lost in a transaction', error.message);
    client.on('error', onError);
    let result: Awaited<ReturnType<typeof fn>>;
    try {
      await client.query('BEGIN');
      result = await fn({
        query: (text, params, options) => run(client, text, params, options?.name),
        exec: async (text) => {
          await client.query(text);
        },
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.removeListener('error', onError);
      // A broken connection is dropped, not handed to the next request.
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
    client.removeListener('error', onError);
    client.release();
    return result;
  };
  await runOnPool(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params, options) => runOnPool(options?.genericPlan ? generic : pool, text, params, options?.name),
    exec: async (text) => {
      await runOnPool(pool, text);
    },
    async tx(fn) {
      // PostgreSQL ends one of two transactions that wait on each other's locks (deadlock_detected),
      // or one whose snapshot another's commit invalidated (serialization_failure): nothing of it was
      // kept, and run again it meets the other one committed. The caller gets an answer, not a 500.
      for (let attempt = 1; ; attempt++) {
        try {
          return await txOnce(fn);
        } catch (error) {
          if (attempt >= TX_ATTEMPTS || !RUN_AGAIN.has(sqlState(error))) throw error;
          options.log?.('transaction rolled back by PostgreSQL, run again', error instanceof Error ? error.message : String(error));
        }
      }
    },
    listen: (channel, onPayload, events) =>
      listenPostgres(
        () => new Client({ connectionString: connection.connectionString, keepAlive: true, keepAliveInitialDelayMillis: 10_000 }),
        channel,
        onPayload,
        events ?? {},
        options.log,
      ),
    close: async () => {
      await Promise.all([pool.end(), generic.end()]);
    },
  };
}

/**
 * One connection LISTENing on `channel`, opened again whenever it breaks (a server restart ends it
 * with an error, a failover by a reset; TCP keep-alive notices a peer that vanished silently).
 */
async function listenPostgres(
  newClient: () => pg.Client,
  channel: string,
  onPayload: (payload: string) => void,
  events: ListenEvents,
  log: HqDbOptions['log'],
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let attempt = 0;

  const lost = (client: pg.Client, reason: string) => {
    // Only the connection in use counts: a failed attempt or a second event of the same loss does not.
    if (client !== current || stopped) return;
    current = null;
    client.end().catch(() => undefined);
    log?.('postgres listener lost; reconnecting', `${channel}: ${reason}`);
    events.onLost?.(reason);
    schedule();
  };
  const open = async (): Promise<void> => {
    const client = newClient();
    client.on('error', (error) => lost(client, error.message));
    client.on('end', () => lost(client, 'connection ended'));
    client.on('notification', (n) => {
      if (n.channel === channel) onPayload(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    current = client;
  };
  const schedule = () => {
    const ceiling = Math.min(LISTEN_RETRY_CAP_MS, LISTEN_RETRY_BASE_MS * 2 ** Math.min(attempt++, 16));
    retry = setTimeout(() => void reconnect(), Math.round(ceiling * (0.5 + Math.random() / 2)));
    retry.unref();
  };
  const reconnect = async () => {
    retry = null;
    if (stopped) return;
    try {
      await open();
    } catch (error) {
      log?.('postgres listener reconnect failed', `${channel}: ${(error as Error).message}`);
      if (!stopped) schedule();
      return;
    }
    if (stopped) {
      await current?.end().catch(() => undefined);
      current = null;
      return;
    }
    attempt = 0;
    log?.('postgres listener back', channel);
    events.onRestored?.();
  };

  await open();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    retry = null;
    const client = current;
    current = null;
    await client?.end().catch(() => undefined);
  };
}

async function openPglite(dir: string | undefined, load: Blob | undefined): Promise<HqDb> {
  const db = await PGlite.create(dir ? { dataDir: dir, ...(load ? { loadDataDir: load } : {}) } : {});
  // PGlite is PostgreSQL in single-user mode: after a crash it replays its log at open. A
  // checkpoint then, and one before closing, puts everything committed into the data files
  // instead of trusting the log across several crash recoveries (a fault test lost a committed
  // batch once after two SIGKILLs and a clean stop; cause not found).
  if (dir) await db.exec('CHECKPOINT');
  // PGlite runs one statement at a time: its transaction() holds the connection for the whole
  // transaction, and plain queries wait for it.
  return {
    kind: 'pglite',
    query: async (text, params) => (await db.query(text, params?.map(pgliteParam))).rows as never[],
    exec: async (text) => {
      await db.exec(text);
    },
    tx: (fn) =>
      db.transaction((t) =>
        fn({
          query: async (text, params) => (await t.query(text, params?.map(pgliteParam))).rows as never[],
          exec: async (text) => {
            await t.exec(text);
          },
        }),
      ),
    // In-process: this listener cannot lose its connection, so `events` never fire.
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
