import Database from 'better-sqlite3-multiple-ciphers';
import { chmodSync, closeSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { fileKeyStore } from './key-store.js';
import { migrate, schemaVersion } from './migrate.js';
import type { Migration } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openStore, StoreOpenError } from './open-store.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const dbPath = () => join(dir.path, 'shopfloor.db');
const keyPath = () => join(dir.path, 'store.key');

function problemOf(fn: () => unknown): StoreOpenError['problem'] {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreOpenError) return error.problem;
    throw error;
  }
  throw new Error('expected the store to refuse to open');
}

function writeSecret(path: string, keyPathArg: string) {
  const store = openStore({ path, keyStore: fileKeyStore(keyPathArg) });
  store.db.prepare("INSERT INTO meta (key, value) VALUES ('secret', 'customer 王小明 13800138000')").run();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
}

describe('the encrypted device store', () => {
  it('creates a store with the newest schema, WAL and durable commits', () => {
    const store = openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) });
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(store.migratedFrom).toBe(0);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    expect(statSync(dbPath()).mode & 0o777).toBe(0o600);
  });

  // SQLite3 Multiple Ciphers encrypts the database and its WAL, not its temporary files: a statement
  // journal (what lets a statement of many rows undo itself inside a transaction) or a sort that
  // spills would leave the store's rows in plaintext in /var/tmp. They are opened and unlinked at
  // once, so they are found through the process's open files (Linux).
  it.skipIf(process.platform !== 'linux')('writes no temporary file, where its rows would be plaintext', () => {
    const store = openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) });
    expect(store.db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    const fill = (from: number) =>
      store.db.exec(`WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 2 FROM n WHERE i < ${from + 8000})
        INSERT INTO meta (key, value) SELECT 'k' || (i * 7919 % 100003), 'customer 王小明 1380013' || i FROM n`);
    store.db.exec('BEGIN');
    fill(0);
    // Rows between those the transaction wrote: the statement changes pages it must be able to put back.
    fill(1);
    const temporary = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.includes('etilqs_')
          ? [{ target, plaintext: readFileSync(`/proc/self/fd/${fd}`).includes(Buffer.from('王小明')) }]
          : [];
      } catch {
        return []; // closed meanwhile
      }
    });
    store.db.exec('COMMIT');
    store.close();
    expect(temporary).toEqual([]);
  });

  it('is unreadable without its key: no plaintext on disk, plain SQLite refuses it', () => {
    writeSecret(dbPath(), keyPath());
    const bytes = readFileSync(dbPath());
    expect(bytes.subarray(0, 16).toString('latin1')).not.toContain('SQLite format 3');
    expect(bytes.includes(Buffer.from('13800138000'))).toBe(false);
    expect(bytes.includes(Buffer.from('王小明'))).toBe(false);
    const plain = new Database(dbPath());
    expect(() => plain.prepare('SELECT * FROM meta').all()).toThrow(/not a database/);
    plain.close();
  });

  it('reopens with its key and keeps the data', () => {
    writeSecret(dbPath(), keyPath());
    const store = openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) });
    expect(store.db.prepare("SELECT value FROM meta WHERE key = 'secret'").get()).toEqual({ value: 'customer 王小明 13800138000' });
    expect(store.migratedFrom).toBe(migrations.length);
    store.close();
  });

  it('refuses a wrong key and leaves the file untouched', () => {
    writeSecret(dbPath(), keyPath());
    const before = readFileSync(dbPath());
    const otherKey = join(dir.path, 'other.key');
    fileKeyStore(otherKey).create();
    expect(problemOf(() => openStore({ path: dbPath(), keyStore: fileKeyStore(otherKey) })).reason).toBe('unreadable');
    expect(readFileSync(dbPath()).equals(before)).toBe(true);
  });

  it('refuses an existing store whose key is gone (a wiped device) instead of recreating it', () => {
    writeSecret(dbPath(), keyPath());
    fileKeyStore(keyPath()).destroy();
    const problem = problemOf(() => openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) }));
    expect(problem.reason).toBe('unreadable');
    expect(problem.message).toMatch(/no key/);
  });

  it('refuses a key file other users can read', () => {
    fileKeyStore(keyPath()).create();
    chmodSync(keyPath(), 0o644);
    expect(problemOf(() => openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) })).message).toMatch(/0600/);
  });

  it('reports a damaged file as corrupt or unreadable and never recreates it', () => {
    const store = openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) });
    const insert = store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`k${i}`, 'x'.repeat(200));
    })();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    // Scribble over pages in the middle of the file, as a failing disk would.
    const size = statSync(dbPath()).size;
    const fd = openSync(dbPath(), 'r+');
    for (let offset = 8192; offset < size - 4096; offset += 16384) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, offset);
    closeSync(fd);
    const damaged = readFileSync(dbPath());
    const problem = problemOf(() => openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) }));
    expect(['corrupt', 'unreadable']).toContain(problem.reason);
    expect(problem.path).toBe(dbPath());
    expect(readFileSync(dbPath()).equals(damaged)).toBe(true);
  });

  it('refuses a store made by a newer app', () => {
    const store = openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) });
    store.db.pragma(`user_version = ${migrations.length + 1}`);
    store.close();
    const problem = problemOf(() => openStore({ path: dbPath(), keyStore: fileKeyStore(keyPath()) }));
    expect(problem.reason).toBe('too_new');
    expect(problem.message).toMatch(/Update the app/);
  });
});

describe('migrations', () => {
  it('run in one transaction: a failing migration leaves the previous version intact', () => {
    const db = new Database(':memory:');
    migrate(db, migrations);
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half_done (x)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [...migrations, broken])).toThrow('boom');
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
  });

  it('apply only what is new, in order', () => {
    const db = new Database(':memory:');
    expect(migrate(db, migrations)).toEqual({ from: 0, to: migrations.length });
    const next: Migration = { version: migrations.length + 1, name: 'add', up: (d) => d.exec('ALTER TABLE meta ADD COLUMN note TEXT') };
    expect(migrate(db, [...migrations, next])).toEqual({ from: migrations.length, to: migrations.length + 1 });
    expect(migrate(db, [...migrations, next])).toEqual({ from: migrations.length + 1, to: migrations.length + 1 });
  });

  it('refuse a list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'gap', up: () => undefined }])).toThrow(/expected 1/);
  });
});
