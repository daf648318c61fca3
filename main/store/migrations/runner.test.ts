import Database from 'better-sqlite3-multiple-ciphers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationListError, SchemaTooNewError } from '../../../sync/protocol/migration-plan.js';
import { tempDir } from '../../testing/temp-dir.js';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import { fileKeyStore } from '../key-store.js';
import { migrate, schemaVersion } from '../migrate.js';
import type { Migration } from '../migrate.js';
import { openStore, StoreOpenError } from '../open-store.js';
import { migrations } from './index.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const open = (list: readonly Migration[] = migrations) =>
  openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: fileKeyStore(join(dir.path, 'store.key')), migrations: list });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('the device migration runner', () => {
  it('refuses a store made by a newer app, with the same message as before, and leaves its file as it was', () => {
    const store = open();
    seedStoreRows(store.db, migrations.length);
    store.db.pragma(`user_version = ${migrations.length + 1}`);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const before = readFileSync(join(dir.path, 'shopfloor.db'));

    const error = thrown(() => open());
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).problem).toMatchObject({
      reason: 'too_new',
      message: `The local store is at schema version ${migrations.length + 1}, but this app only knows up to ${migrations.length}. Update the app; the data is left untouched.`,
    });
    expect(readFileSync(join(dir.path, 'shopfloor.db')).equals(before)).toBe(true);

    const db = new Database(':memory:');
    db.pragma(`user_version = ${migrations.length + 1}`);
    expect(thrown(() => migrate(db, migrations))).toMatchObject({
      name: 'SchemaTooNewError',
      code: 'schema_too_new',
      found: migrations.length + 1,
      supported: migrations.length,
    });
    expect(thrown(() => migrate(db, migrations))).toBeInstanceOf(SchemaTooNewError);
  });

  it('refuses a broken migration list before touching the store', () => {
    const store = open(migrations.slice(0, 1));
    const tables = () => store.db.prepare(`SELECT name FROM sqlite_schema ORDER BY name`).pluck().all();
    const before = tables();
    const [first, second, third] = migrations;
    for (const broken of [
      [first!, third!], // a gap: 1, 3
      [first!, { ...second!, version: 1 }], // a duplicate
    ]) {
      const error = thrown(() => migrate(store.db, broken));
      expect(error).toBeInstanceOf(MigrationListError);
      expect(error).toMatchObject({ code: 'migration_list_invalid', message: expect.stringMatching(/expected 2/) });
      expect(schemaVersion(store.db)).toBe(1);
      expect(tables()).toEqual(before);
    }
    store.close();
  });
});

describe('the device upgrade harness', () => {
  it('is ready for the next migration: the rows of the newest version survive an additive migration 5', () => {
    const next: Migration = {
      version: migrations.length + 1,
      name: 'add-sale-note',
      up: (db) =>
        db.exec(`ALTER TABLE sale ADD COLUMN note TEXT; CREATE TABLE gift_card (code TEXT PRIMARY KEY, balance_fen INTEGER NOT NULL)`),
    };
    const upgrade = upgradeStore({
      from: migrations.length,
      migrations: [...migrations, next],
      seed: (db) => seedStoreRows(db, migrations.length),
    });
    try {
      expect(emptyTables(upgrade.before)).toEqual([]);
      // `before` and `rowsNow` compare the columns the old version had; the new column is there too.
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(upgrade.store.db.prepare(`SELECT count(*) FROM sale WHERE note IS NULL`).pluck().get()).toBe(upgrade.before.sale!.length);
      upgrade.store.db.prepare(`INSERT INTO gift_card (code, balance_fen) VALUES ('G1', 10000)`).run();
    } finally {
      upgrade.close();
    }
  });
});
