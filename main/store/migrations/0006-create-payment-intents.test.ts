import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

describe('device migration 6 (payment intents, UnionPay, cash instead) on a store with data', () => {
  it('keeps every row of version 5; tenders have no cash-instead method until one is recorded', () => {
    const upgrade = upgradeStore({ from: 5, seed: (db) => seedStoreRows(db, 5) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.prepare('SELECT count(*) AS n FROM payment_intent').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM sale_tender WHERE instead_of IS NOT NULL').get()).toEqual({ n: 0 });
      expect(db.pragma('foreign_key_check')).toEqual([]);

      const intent = db.prepare(
        `INSERT INTO payment_intent (id, cart_id, kind, method, amount_fen, state, detail, created_at, updated_at)
         VALUES (?, 'cart', ?, 'wechat', ?, ?, ?, '2025-01-05T00:00:00.000Z', '2025-01-05T00:00:00.000Z')`,
      );
      intent.run('i-1', 'refund', 100, 'paid', '{"saleId":"sal-1"}');
      expect(() => intent.run('i-2', 'refund', 0, 'paid', null)).toThrow(/CHECK/);
      expect(() => intent.run('i-3', 'charge', 100, 'lost', null)).toThrow(/CHECK/);
      expect(() => intent.run('i-4', 'charge', 100, 'paid', '{not json')).toThrow(/CHECK/);
      expect(() => db.prepare("UPDATE sale_tender SET instead_of = 'cash' WHERE id = 'st-2'").run()).toThrow(/CHECK/);
      db.prepare("UPDATE sale_tender SET method = 'unionpay' WHERE id = 'st-1'").run();
      expect(() => db.prepare("UPDATE sale_tender SET method = 'bitcoin' WHERE id = 'st-1'").run()).toThrow(/CHECK/);
      // The rebuilt table keeps its index and its reference to the sale.
      expect(
        db.prepare("SELECT name FROM sqlite_schema WHERE tbl_name = 'sale_tender' AND type = 'index' AND sql IS NOT NULL").pluck().all(),
      ).toEqual(['sale_tender_sale']);
      expect(() =>
        db.prepare("INSERT INTO sale_tender (id, sale_id, method, amount_fen) VALUES ('x', 'no-such-sale', 'cash', 1)").run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      upgrade.close();
    }
  });
});
