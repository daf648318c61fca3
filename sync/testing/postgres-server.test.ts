import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { findPostgresBinaries } from './postgres-binaries.js';
import { postgresForTests, startPostgres } from './postgres-server.js';
import type { PostgresServer } from './postgres-server.js';
import { isProcessAlive, waitUntil } from './process-alive.js';

const haveBinaries = findPostgresBinaries() !== null;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!haveBinaries)('private PostgreSQL server', () => {
  const started: PostgresServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
  });

  it('starts on 127.0.0.1, makes isolated fresh databases, and stop() leaves nothing behind', async () => {
    const server = await startPostgres({ fsync: false, lifetimeS: 300 });
    started.push(server);
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    const [settings] = await query<{ max_connections: string; fsync: string; listen: string }>(
      server.url,
      "SELECT current_setting('max_connections') AS max_connections, current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen",
    );
    expect(settings).toEqual({ max_connections: '300', fsync: 'off', listen: '127.0.0.1' });

    const first = await server.freshDatabase('orders');
    const second = await server.freshDatabase('orders');
    expect(first).not.toBe(second);
    await query(first, 'CREATE TABLE sale (id int PRIMARY KEY, total_fen bigint NOT NULL)');
    await query(first, 'INSERT INTO sale VALUES (1, 1999), (2, 1)');
    expect(await query(first, 'SELECT sum(total_fen)::int AS total FROM sale')).toEqual([{ total: 2000 }]);
    // The second database is its own: the table made in the first does not exist there.
    await expect(query(second, 'SELECT * FROM sale')).rejects.toThrow(/does not exist/);

    const { pid, dataDir } = server;
    expect(pid && isProcessAlive(pid)).toBe(true);
    await server.stop();
    await server.stop(); // idempotent
    await waitUntil(() => !isProcessAlive(pid!), `postmaster ${pid} to exit`);
    expect(existsSync(dataDir!)).toBe(false);
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
  });

  it('fsync is on by default, for benchmarks', async () => {
    const server = await startPostgres({ lifetimeS: 300 });
    started.push(server);
    expect(await query(server.url, "SELECT current_setting('fsync') AS fsync")).toEqual([{ fsync: 'on' }]);
  });

  it('restart() ends every connection and comes back on the same port with the same data', async () => {
    const server = await startPostgres({ fsync: false, lifetimeS: 300 });
    started.push(server);
    const db = await server.freshDatabase('kept');
    await query(db, 'CREATE TABLE t (n int); INSERT INTO t VALUES (42)');
    const open = new pg.Client({ connectionString: db });
    await open.connect();
    const ended = new Promise<string>((resolve) => open.on('error', (error) => resolve(error.message)));
    const before = server.pid;
    await server.restart();
    expect(await ended).toMatch(/terminating connection/);
    expect(server.pid).not.toBe(before);
    expect(isProcessAlive(before!)).toBe(false);
    expect(await query(db, 'SELECT n FROM t')).toEqual([{ n: 42 }]);
    await open.end().catch(() => undefined);
  });

  it('stops by itself when the Node process that started it is SIGKILLed', async () => {
    const cli = fileURLToPath(new URL('./start-postgres-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '300', '--no-fsync'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`start-postgres-cli exited (${code}) before printing: ${stderr}`)));
    });
    const info = JSON.parse(line) as { url: string; pid: number; dataDir: string };
    expect(await query(info.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    child.kill('SIGKILL'); // our own child, by its pid: no exit hook of it can run
    await exited;
    await waitUntil(() => !isProcessAlive(info.pid), `postmaster ${info.pid} to exit after its parent died`, 60_000);
    await waitUntil(() => !existsSync(info.dataDir), `${info.dataDir} to be removed`, 60_000);
  });

  it('stops by itself after its lifetime', async () => {
    const server = await startPostgres({ fsync: false, lifetimeS: 2 });
    started.push(server);
    await waitUntil(() => !isProcessAlive(server.pid!), `postmaster ${server.pid} to exit at the end of its lifetime`, 60_000);
    await waitUntil(() => !existsSync(server.dataDir!), `${server.dataDir} to be removed`, 60_000);
  });

  it('postgresForTests wraps DATABASE_URL and drops only the databases it created', async () => {
    const host = await startPostgres({ fsync: false, lifetimeS: 300 });
    started.push(host);
    const kept = await host.freshDatabase('kept');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = host.url;
    let wrapped: PostgresServer | null;
    try {
      wrapped = await postgresForTests();
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect(wrapped).not.toBeNull();
    expect(wrapped!.url).toBe(host.url);
    expect(wrapped!.pid).toBeNull();
    await expect(wrapped!.restart()).rejects.toThrow(/cannot be restarted/);
    const made = await wrapped!.freshDatabase('made');
    const madeName = new URL(made).pathname.slice(1);
    // A session left open on it must not stop the drop.
    const lingering = new pg.Client({ connectionString: made });
    await lingering.connect();
    lingering.on('error', () => undefined);
    await wrapped!.stop();
    await lingering.end().catch(() => undefined);
    const names = (await query<{ datname: string }>(host.url, 'SELECT datname FROM pg_database')).map((row) => row.datname);
    expect(names).toContain(new URL(kept).pathname.slice(1));
    expect(names).not.toContain(madeName);
    // The server itself is not ours to stop: it still answers.
    expect(await query(host.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('refuses clearly when the binaries are missing', async () => {
    const saved = process.env.PG_BIN;
    process.env.PG_BIN = '/nonexistent/postgresql/bin';
    try {
      await expect(startPostgres()).rejects.toThrow(/binaries not found/);
    } finally {
      if (saved === undefined) delete process.env.PG_BIN;
      else process.env.PG_BIN = saved;
    }
  });
});
