import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinaries } from '../testing/postgres-binaries.js';
import { startPostgres } from '../testing/postgres-server.js';
import type { PostgresServer } from '../testing/postgres-server.js';
import { isConnectionError, openHqDb } from './db.js';
import { DatabaseUrlError, needsHostSelection, parsePgTarget } from './pg-hosts.js';

describe('a multi-host DATABASE_URL', () => {
  it('names every host, keeps the rest of the URL for each, and drops target_session_attrs (pg does not know it)', () => {
    const target = parsePgTarget('postgresql://hq:s%40cret@db1:5432,db2:6000,[::1]/shop?target_session_attrs=read-write&sslmode=require');
    expect(target.hosts).toEqual([
      { host: 'db1', port: 5432 },
      { host: 'db2', port: 6000 },
      { host: '::1', port: 5432 },
    ]);
    expect(target.readWrite).toBe(true);
    expect(target.urlFor({ host: 'db2', port: 6000 })).toBe('postgresql://hq:s%40cret@db2:6000/shop?sslmode=require');
    expect(target.urlFor({ host: '::1', port: 5432 })).toBe('postgresql://hq:s%40cret@[::1]:5432/shop?sslmode=require');
    // One host without the attribute: exactly the URL HQ was given (no probing).
    expect(parsePgTarget('postgres://postgres@127.0.0.1:5433/postgres').readWrite).toBe(false);
  });

  it("is read by HQ only when it names several hosts or target_session_attrs; any other URL is pg's to read", () => {
    expect(needsHostSelection('postgresql://db1:5432,db2:5432/shop')).toBe(true);
    expect(needsHostSelection('postgresql://db1/shop?sslmode=require&target_session_attrs=read-write')).toBe(true);
    expect(needsHostSelection('postgresql://db1:5432/shop')).toBe(false);
    // A Unix socket, or the host from PGHOST: the host selector could not read these.
    expect(needsHostSelection('postgresql:///shop')).toBe(false);
    expect(needsHostSelection('postgresql://hq@%2Fvar%2Frun%2Fpostgresql/shop')).toBe(false);
  });

  it('refuses what HQ cannot use, saying why', () => {
    expect(() => parsePgTarget('mysql://db1/shop')).toThrow(DatabaseUrlError);
    expect(() => parsePgTarget('postgresql:///shop')).toThrow(/names no host/);
    expect(() => parsePgTarget('postgresql://db1:99999/shop')).toThrow(/not a host\[:port\]/);
    expect(() => parsePgTarget('postgresql://db1,,db2/shop')).toThrow(/not a host\[:port\]/);
    expect(() => parsePgTarget('postgresql://db1,db2/shop?target_session_attrs=read-only')).toThrow(/read-write/);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe.skipIf(!findPostgresBinaries())('HQ on a multi-host URL whose first host is down', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres({ fsync: false, lifetimeS: 300 });
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('writes, and LISTENs, on the host that takes writes', async () => {
    const dead = await closedPort();
    const db = await openHqDb({
      databaseUrl: `postgresql://postgres@127.0.0.1:${dead},127.0.0.1:${pg.port}/postgres?target_session_attrs=read-write`,
    });
    try {
      await db.tx(async (sql) => {
        await sql.query('CREATE TABLE IF NOT EXISTS multi_host_probe (n int)');
        await sql.query('INSERT INTO multi_host_probe VALUES (1)');
      });
      const heard = new Promise<string>(
        (resolve) => void db.listen('multi_host', resolve).then(() => db.query("NOTIFY multi_host, 'hello'")),
      );
      expect(await heard).toBe('hello');
      expect(await db.query('SELECT n FROM multi_host_probe')).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('a connection lost inside a transaction fails that transaction as a connection error, and the next one runs', async () => {
    const db = await openHqDb({ databaseUrl: `postgresql://postgres@127.0.0.1:${pg.port}/postgres?target_session_attrs=read-write` });
    try {
      await db.query('CREATE TABLE IF NOT EXISTS tx_probe (n int)');
      // Between two statements the server goes away (as in a failover): before, the lost client
      // had no error listener while checked out and its 'error' event ended the HQ process.
      const failure = await db
        .tx(async (sql) => {
          await sql.query('INSERT INTO tx_probe VALUES (1)');
          await pg.restart();
          await sql.query('INSERT INTO tx_probe VALUES (2)');
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(isConnectionError(failure)).toBe(true);
      await db.tx((sql) => sql.query('INSERT INTO tx_probe VALUES (3)'));
      // All or nothing: the interrupted transaction left no row.
      expect(await db.query('SELECT n FROM tx_probe ORDER BY n')).toEqual([{ n: 3 }]);
    } finally {
      await db.close();
    }
  });

  it('no writable host is a connection error (a 503 to devices), not a crash', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const failure = await openHqDb({ databaseUrl: `postgresql://postgres@127.0.0.1:${a},127.0.0.1:${b}/postgres` }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).toMatch(/no writable PostgreSQL server/);
    expect(isConnectionError(failure)).toBe(true);
  });
});
