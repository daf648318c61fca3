import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SchemaTooNewError } from '../../sync/protocol/migration-plan.js';
import type { StoreProblem } from '../api/contract.js';
import { CheckpointError, checkpointOffThread } from './checkpoint-worker.js';
import type { CheckpointResult } from './checkpoint-worker.js';
import type { KeyStore } from './key-store.js';
import { migrate } from './migrate.js';
import type { Migration, MigrateOptions } from './migrate.js';
import { migrations as deviceMigrations } from './migrations/index.js';

/** The device's store file in its data folder. */
export const STORE_FILE = 'shopfloor.db';

/** Writes a new store's first data (the demo's sample brand); answers which store the device belongs to. */
export type StoreSeeder = (db: Db, now: string) => { storeId: string };

export type Store = {
  readonly db: Db;
  readonly path: string;
  /** The schema version before this open ran migrations (0 for a new store). */
  readonly migratedFrom: number;
  /**
   * A checkpoint on another connection, off this thread (checkpoint-worker.ts): what the end of a
   * provisioning, or of a large incremental pull, runs (sync/client/pull.ts). The key is read from
   * the key store again for it, not kept.
   */
  checkpointOffThread(): Promise<CheckpointResult>;
  close(): void;
};

/** The store could not be opened. Never handled by recreating the file: that would lose unsynced sales. */
export class StoreOpenError extends Error {
  constructor(readonly problem: StoreProblem) {
    super(problem.message);
    this.name = 'StoreOpenError';
  }
}

export type OpenStoreOptions = {
  path: string;
  keyStore: KeyStore;
  migrations?: readonly Migration[];
  /** `PRAGMA quick_check` reads every page; tests of huge stores may skip it, the app never does. */
  quickCheck?: boolean;
  /** See MigrateOptions: the app passes main/sync's `beforeStoreMigrations`. */
  beforeMigrations?: MigrateOptions['beforeMigrations'];
};

function sqliteCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Applies the key: SQLCipher v4 format with a raw 256-bit key, so no PBKDF2 runs on every start. */
export function applyKey(db: Db, key: Buffer): void {
  for (const pragma of keyPragmas(key)) db.pragma(pragma);
}

/** The pragmas that open a store with `key`, in order (applyKey; the checkpoint worker's own connection). */
function keyPragmas(key: Buffer): string[] {
  return [`cipher = 'sqlcipher'`, `legacy = 4`, `key = "x'${key.toString('hex')}'"`];
}

/**
 * The store's connection settings, after its key: WAL, synchronous=FULL (see openStore), foreign
 * keys, a 5 s busy wait, a 32 MB page cache, and temporary files in memory: SQLite3 Multiple Ciphers
 * encrypts the database and its WAL but not SQLite's temporary files, and the build's default put
 * them in /var/tmp — a statement journal (a statement of many rows inside a transaction, such as a
 * provisioning page's) held the pages it changed there in plaintext, customers' included. It was
 * also slow: a provisioning page's 16-row INSERTs (sync/client/apply.ts) took 1.6–1.9 s instead of
 * 0.6–0.7 s for 200,000 SKUs with their indexes, writing each statement's pages to that file.
 */
export function applyStoreSettings(db: Db): void {
  db.pragma('temp_store = MEMORY');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32000');
}

function problem(reason: StoreProblem['reason'], path: string, message: string): StoreOpenError {
  return new StoreOpenError({ reason, path, message });
}

/**
 * Opens (or creates) the device's encrypted store: key from the key store, durable settings
 * (WAL, synchronous=FULL — a sale acknowledged to the cashier survives a power cut), an
 * integrity check, then migrations. Any failure is a StoreOpenError with a reason the UI shows.
 */
export function openStore(options: OpenStoreOptions): Store {
  const { path, keyStore } = options;
  const isNew = !existsSync(path);
  let key: Buffer | null;
  try {
    key = keyStore.load();
  } catch (error) {
    throw problem('unreadable', path, `The store key could not be read (${keyStore.kind}): ${(error as Error).message}`);
  }
  if (!key) {
    if (!isNew) {
      throw problem(
        'unreadable',
        path,
        `The store at ${path} exists but this device has no key for it (${keyStore.kind}). It is not recreated: unsynced data may be in it.`,
      );
    }
    try {
      key = keyStore.create();
    } catch (error) {
      throw problem('unreadable', path, `No key could be made for the new store (${keyStore.kind}): ${(error as Error).message}`);
    }
  }

  let db: Db;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path);
  } catch (error) {
    throw problem('io', path, `The store file ${path} could not be opened: ${(error as Error).message}`);
  }
  try {
    applyKey(db, key);
    key.fill(0);
    // The first read is where a wrong key or a damaged header shows (SQLITE_NOTADB).
    applyStoreSettings(db);
    if (!isNew && options.quickCheck !== false) {
      const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
      const bad = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (bad.length > 0) throw problem('corrupt', path, `The store failed its integrity check: ${bad.slice(0, 3).join('; ')}`);
    }
    const { from } = migrate(db, options.migrations ?? deviceMigrations, { beforeMigrations: options.beforeMigrations });
    // Encrypted or not, the store is nobody else's business on a shared machine.
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
    const checkpoint = async (): Promise<CheckpointResult> => {
      const again = keyStore.load();
      if (!again) throw new CheckpointError(`the key of ${path} is gone from the key store (${keyStore.kind})`);
      const pragmas = [...keyPragmas(again), 'temp_store = MEMORY', 'busy_timeout = 5000'];
      again.fill(0);
      return checkpointOffThread(path, pragmas);
    };
    return { db, path, migratedFrom: from, checkpointOffThread: checkpoint, close: () => db.close() };
  } catch (error) {
    db.close();
    if (error instanceof StoreOpenError) throw error;
    if (error instanceof SchemaTooNewError) throw problem('too_new', path, error.message);
    const code = sqliteCode(error);
    if (code === 'SQLITE_NOTADB') {
      throw problem(
        'unreadable',
        path,
        `The store at ${path} cannot be read with this device's key: the key is wrong or the file is damaged. It was left as it is.`,
      );
    }
    if (code?.startsWith('SQLITE_CORRUPT')) {
      throw problem('corrupt', path, `The store at ${path} is damaged (${(error as Error).message}). It was left as it is for recovery.`);
    }
    throw problem('io', path, `The store at ${path} could not be opened: ${(error as Error).message}`);
  }
}
