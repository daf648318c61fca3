import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.js';
import { migrations } from './index.js';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

const SKU = `INSERT INTO sku (sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active)
  VALUES (?, 'SF25W0001', '001', '黑', 'Black', 'XL', 5, ?, 129900, 1)`;

describe('device migration 8 (the EAN unique through a named index) on a store with data', () => {
  it('keeps every row and reference, and the EAN stays unique, now through sku_ean', () => {
    const upgrade = upgradeStore({ from: 7, seed: (db) => seedStoreRows(db, 7) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

      const indexes = db.pragma('index_list(sku)') as { name: string; unique: number; origin: string }[];
      expect(
        indexes.map((i) => ({ name: i.name, unique: i.unique, origin: i.origin })).sort((a, b) => a.name.localeCompare(b.name)),
      ).toEqual([
        { name: 'sku_ean', unique: 1, origin: 'c' },
        { name: 'sku_style', unique: 0, origin: 'c' },
        // The primary key of a WITHOUT ROWID table: the table itself.
        { name: 'sqlite_autoindex_sku_1', unique: 1, origin: 'pk' },
      ]);
      const taken = db.prepare('SELECT ean FROM sku LIMIT 1').pluck().get() as string;
      expect(() => db.prepare(SKU).run('SF25W0001-001-XL', taken)).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
      expect(() => db.prepare(SKU).run('SF25W0001-001-XL', '123')).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_CHECK' }));
      // stock still refers to sku: a stock row for a SKU that does not exist is refused.
      expect(() =>
        db
          .prepare(
            `INSERT INTO stock (location_id, sku, qty, updated_at) VALUES ('loc-S001', 'NO-SUCH-SKU', 1, '2025-01-03T00:00:00.000Z')`,
          )
          .run(),
      ).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }));
      // A SKU still in stock cannot be deleted under it.
      const stocked = db.prepare('SELECT sku FROM stock LIMIT 1').pluck().get() as string;
      expect(() => db.prepare('DELETE FROM sku WHERE sku = ?').run(stocked)).toThrow(
        expect.objectContaining({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }),
      );
      const schema = db.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'stock'`).pluck().get() as string;
      expect(schema).toMatch(/REFERENCES sku\(sku\)/);
      // The table is the one version 7 made, column by column (types, NOT NULL, defaults, key) and reference by reference.
      const seven = new Database(':memory:');
      try {
        migrate(seven, migrations.slice(0, 7));
        for (const pragma of ['table_xinfo(sku)', 'foreign_key_list(sku)', 'foreign_key_list(stock)'])
          expect({ pragma, rows: db.pragma(pragma) }).toEqual({ pragma, rows: seven.pragma(pragma) });
        expect(db.pragma('foreign_key_list(sku)')).toEqual([expect.objectContaining({ table: 'style', from: 'style_code', to: 'code' })]);
      } finally {
        seven.close();
      }
    } finally {
      upgrade.close();
    }
  });

  it('a failed rebuild leaves the store at 7 with its rows, and foreign keys on', () => {
    const upgrade = upgradeStore({ from: 6, to: 7, seed: (db) => seedStoreRows(db, 6) });
    try {
      const { db } = upgrade.store;
      const broken = { ...migrations[7]!, up: (d: typeof db) => (migrations[7]!.up(d), d.exec('SELECT no_such_function()')) };
      expect(() => migrate(db, [...migrations.slice(0, 7), broken])).toThrow(/no_such_function/);
      expect(schemaVersion(db)).toBe(7);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect((db.pragma('index_list(sku)') as { name: string }[]).map((i) => i.name)).not.toContain('sku_ean');
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
    } finally {
      upgrade.close();
    }
  });

  it('runs within a longer upgrade (6 → 8, where only 8 rebuilds), and leaves foreign keys as it found them', () => {
    const upgrade = upgradeStore({ from: 6, to: 8, seed: (db) => seedStoreRows(db, 6) });
    try {
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(upgrade.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      upgrade.close();
    }
    const plain = new Database(':memory:');
    try {
      plain.pragma('foreign_keys = OFF');
      migrate(plain, migrations);
      expect(schemaVersion(plain)).toBe(migrations.length);
      expect(plain.pragma('foreign_keys', { simple: true })).toBe(0);
    } finally {
      plain.close();
    }
  });
});
