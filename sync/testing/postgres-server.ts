import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBinaries, postgresCommand, runPostgresTool } from './postgres-binaries.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import { startWatchdog } from './postgres-watchdog.js';
import { isProcessAlive, waitUntil } from './process-alive.js';

/** A PostgreSQL server for tests and benchmarks: private (started here) or DATABASE_URL's. */
export type PostgresServer = {
  /** postgres://postgres@127.0.0.1:PORT/postgres — the maintenance database; tests use freshDatabase(). */
  url: string;
  port: number;
  /** CREATE DATABASE with a unique name; returns its URL. */
  freshDatabase(prefix?: string): Promise<string>;
  /** Private server: stops it and removes its folder. DATABASE_URL: drops only the databases it created. Idempotent. */
  stop(): Promise<void>;
  /**
   * Private server: stops it the way a restart does (fast shutdown: every connection is ended) and
   * starts it again on the same port and data — to see clients reconnect. DATABASE_URL: refused,
   * that server is not ours to restart.
   */
  restart(): Promise<void>;
  /** The postmaster's pid (private server only); a restart changes it. */
  pid: number | null;
  /** The cluster's folder (private server only); gone after stop(). */
  dataDir: string | null;
};

export type StartPostgresOptions = {
  /** The server stops by itself this many seconds after it is ready, even if nobody calls stop(). Default 900. */
  lifetimeS?: number;
  /** Default true, so benchmarks measure real commits; tests may pass false for speed. */
  fsync?: boolean;
};

/**
 * Starts a private PostgreSQL cluster on 127.0.0.1 (trust auth, a free high port, its own folder
 * under /tmp). It stops by itself when stop() is called, when the Node process that started it
 * dies, or after `lifetimeS` — a watchdog process sees to the last two.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const started = await startGuarded('shopfloor-pg-', options.lifetimeS ?? 900, async (bins, dataDir) => {
    await runPostgresTool(bins, 'initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    configure(dataDir, options.fsync ?? true);
  });
  const { bins, dataDir, logFile } = started;
  const server: PostgresServer = {
    ...serverFields(started),
    async restart() {
      if (started.isStopped()) throw new Error('this PostgreSQL server was stopped');
      // Not `pg_ctl restart`: it cannot take -l, and the new postmaster would hold our output pipe open.
      await runPostgresTool(bins, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
      await runPostgresTool(bins, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '120']);
      server.pid = postmasterPid(dataDir);
    },
  };
  return server;
}

/** A streaming standby of a private server (startStandby): a PostgresServer that can be promoted. */
export type PostgresStandby = PostgresServer & {
  /** pg_ctl promote: it stops following and takes writes, as a failover manager's promotion does. */
  promote(): Promise<void>;
};

/**
 * Starts a streaming standby of a private `primary` (startPostgres), as a failover manager keeps
 * one: a base backup over the replication protocol (trust on 127.0.0.1, added to the primary's
 * pg_hba.conf here), then a server in recovery on a free port with `primary_conninfo` pointing
 * back. It stops by itself like startPostgres' servers (a watchdog). Making it synchronous is the
 * primary's `synchronous_standby_names`, the caller's to set: it is named `application_name`.
 */
export async function startStandby(
  primary: PostgresServer,
  options: { lifetimeS?: number; applicationName?: string } = {},
): Promise<PostgresStandby> {
  const primaryDir = primary.dataDir;
  if (!primaryDir) throw new Error('a standby needs a private primary (startPostgres), not DATABASE_URL');
  appendFileSync(join(primaryDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
  await withClient(primary.url, (client) => client.query('SELECT pg_reload_conf()'));
  const started = await startGuarded('shopfloor-pg-standby-', options.lifetimeS ?? 900, async (bins, dataDir) => {
    const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres application_name=${options.applicationName ?? 'standby'}`;
    // -R writes standby.signal and primary_conninfo (with the application_name given here).
    await runPostgresTool(bins, 'pg_basebackup', ['-D', dataDir, '-d', conninfo, '-R', '-X', 'stream', '--no-sync']);
    // Its own socket folder: the copied setting names the primary's, which goes with the primary.
    appendFileSync(join(dataDir, 'postgresql.conf'), `\nunix_socket_directories = '${dataDir}'\n`);
  });
  return {
    ...serverFields(started),
    restart: () => Promise.reject(new Error('a standby is not restarted by these tests')),
    async promote() {
      await runPostgresTool(started.bins, 'pg_ctl', ['promote', '-D', started.dataDir, '-w', '-t', '60']);
    },
  };
}

type Guarded = ReturnType<typeof guardedFolder> & { bins: PostgresBinaries; port: number };

/**
 * A private server from its folder up: the binaries, the guarded folder (owned by the user that
 * runs PostgreSQL), `prepare` (initdb, or a base backup), the start on a free port, and its
 * lifetime from then on. On any failure what was started is stopped and its folder removed.
 */
async function startGuarded(
  prefix: string,
  lifetimeS: number,
  prepare: (bins: PostgresBinaries, dataDir: string) => Promise<void>,
): Promise<Guarded> {
  const bins = findPostgresBinaries();
  if (!bins) throw new Error('PostgreSQL server binaries not found (set PG_BIN, or install postgresql)');
  const folder = guardedFolder(bins, prefix, lifetimeS);
  try {
    if (bins.runAs) chownSync(folder.baseDir, bins.runAs.uid, bins.runAs.gid);
    await prepare(bins, folder.dataDir);
    const port = await startOnFreePort(bins, folder.dataDir, folder.logFile);
    writeFileSync(join(folder.baseDir, 'deadline'), String(Date.now() + lifetimeS * 1000));
    return { ...folder, bins, port };
  } catch (error) {
    await folder.stop().catch(() => undefined);
    throw error;
  }
}

/** What every private server answers with (restart aside). */
function serverFields(g: Guarded): Omit<PostgresServer, 'restart'> {
  const url = `postgres://postgres@127.0.0.1:${g.port}/postgres`;
  return { url, port: g.port, pid: postmasterPid(g.dataDir), dataDir: g.dataDir, freshDatabase: databaseMaker(url, []), stop: g.stop };
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * A private cluster's folder under /tmp and the watchdog that stops the cluster in it and removes
 * the folder. The watchdog starts before the cluster exists, so there is no moment where a crash
 * of ours leaves a running server behind; its lifetime counts from when the server is ready (the
 * caller writes `<baseDir>/deadline`), and this bound covers a hung start. `stop` is idempotent.
 */
function guardedFolder(bins: PostgresBinaries, prefix: string, lifetimeS: number) {
  const baseDir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(baseDir, 'data');
  const watchdogPid = startWatchdog({
    parentPid: process.pid,
    deadline: Date.now() + (lifetimeS + 600) * 1000,
    baseDir,
    dataDir,
    stopCommand: postgresCommand(bins, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '60']),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopCluster(bins, dataDir);
    rmSync(baseDir, { recursive: true, force: true });
    killQuietly(watchdogPid);
  };
  return { baseDir, dataDir, logFile: join(baseDir, 'postgres.log'), stop, isStopped: () => stopped };
}

/** Whether `postgresForTests` can give a server here (DATABASE_URL, or the binaries): the guard for `describe.skipIf`. */
export function postgresAvailable(): boolean {
  return Boolean(process.env.DATABASE_URL) || findPostgresBinaries() !== null;
}

/**
 * For tests: a server on DATABASE_URL when it is set (stop() drops only what it created), else a
 * private one (fsync off) when the binaries exist, else null so the suite can `describe.skipIf`.
 */
export async function postgresForTests(options: StartPostgresOptions = {}): Promise<PostgresServer | null> {
  const external = process.env.DATABASE_URL;
  if (external) return wrapExternal(external);
  if (!findPostgresBinaries()) return null;
  return startPostgres({ fsync: false, ...options });
}

function wrapExternal(url: string): PostgresServer {
  const created: string[] = [];
  let stopped = false;
  return {
    url,
    port: Number(new URL(url).port || 5432),
    pid: null,
    dataDir: null,
    freshDatabase: databaseMaker(url, created),
    restart: () => Promise.reject(new Error('DATABASE_URL names a server these tests do not own: it cannot be restarted')),
    async stop() {
      if (stopped) return;
      stopped = true;
      await withClient(url, async (client) => {
        for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      });
    },
  };
}

let databaseCounter = 0;

function databaseMaker(url: string, created: string[]): (prefix?: string) => Promise<string> {
  return async (prefix = 'test') => {
    const safePrefix = prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 30);
    const name = `${safePrefix}_${process.pid}_${++databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
    await withClient(url, async (client) => {
      // Two CREATE DATABASE at once may clash on the template ("being accessed by other users")
      // when the server is shared by parallel test files; that clash is transient.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
          break;
        } catch (error) {
          if (attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    });
    created.push(name);
    const databaseUrl = new URL(url);
    databaseUrl.pathname = `/${name}`;
    return databaseUrl.toString();
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function configure(dataDir: string, fsync: boolean): void {
  // Local connections only, trust: a throwaway cluster reachable from this machine alone.
  writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dataDir}'`,
      'max_connections = 300',
      `fsync = ${fsync ? 'on' : 'off'}`,
      `synchronous_commit = ${fsync ? 'on' : 'off'}`,
      `full_page_writes = ${fsync ? 'on' : 'off'}`,
      "include_if_exists = 'shopfloor-port.conf'",
      '',
    ].join('\n'),
  );
}

async function startOnFreePort(bins: PostgresBinaries, dataDir: string, logFile: string): Promise<number> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 5; attempt++) {
    // A port the kernel just handed out is free now; someone may still take it before the
    // postmaster binds, hence the retry.
    const port = await freePort();
    writeFileSync(join(dataDir, 'shopfloor-port.conf'), `port = ${port}\n`);
    if (bins.runAs) chownSync(join(dataDir, 'shopfloor-port.conf'), bins.runAs.uid, bins.runAs.gid);
    try {
      await runPostgresTool(bins, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '120']);
      return port;
    } catch (error) {
      lastError = new Error(`${String(error)}\n--- postgres.log ---\n${readLog(logFile)}`);
      if (!/could not bind|Address already in use/i.test(readLog(logFile))) break;
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function stopCluster(bins: PostgresBinaries, dataDir: string): Promise<void> {
  let pid: number | null = null;
  try {
    pid = postmasterPid(dataDir) || null;
  } catch {
    return; // never started (or already stopped): nothing runs
  }
  await runPostgresTool(bins, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '60']).catch(() => undefined);
  if (pid !== null && isProcessAlive(pid)) {
    // pg_ctl could not stop it: it is our postmaster, end it by its pid.
    killQuietly(pid, 'SIGQUIT');
    await waitUntil(() => !isProcessAlive(pid), `postmaster ${pid} to exit`, 10_000).catch(() => killQuietly(pid, 'SIGKILL'));
  }
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
