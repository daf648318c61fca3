import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

describe('device migration 3 (checkout) on a store with data', () => {
  it('keeps every row of version 2 and sells to the customers, staff and SKUs already in it', () => {
    const upgrade = upgradeStore({ from: 2, seed: (db) => seedStoreRows(db, 2) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      // The new tables reference rows written before the upgrade, and foreign keys hold.
      db.prepare(`INSERT INTO staff_credential (staff_id, pin_salt, pin_hash) VALUES ('stf-02', 's', 'h')`).run();
      expect(() => db.prepare(`INSERT INTO staff_credential (staff_id, pin_salt, pin_hash) VALUES ('stf-99', 's', 'h')`).run()).toThrow(
        /FOREIGN KEY/,
      );
      db.prepare(`INSERT INTO member_code (code, customer_id) VALUES ('M00000001', 'cus-1')`).run();
      db.prepare(
        `INSERT INTO till_session (id, business_day, opened_at, opened_by, float_fen) VALUES ('ses-1', '2025-01-03', '2025-01-03T01:00:00.000Z', 'stf-01', 50000)`,
      ).run();
      // At most one open business day per till.
      expect(() =>
        db
          .prepare(
            `INSERT INTO till_session (id, business_day, opened_at, opened_by, float_fen) VALUES ('ses-2', '2025-01-03', '2025-01-03T02:00:00.000Z', 'stf-01', 0)`,
          )
          .run(),
      ).toThrow(/UNIQUE/);
      db.prepare(
        `INSERT INTO sale (id, receipt_no, kind, session_id, business_day, staff_id, customer_id, subtotal_fen, discount_fen, total_fen,
                           refund_fen, net_fen, change_fen, offline, created_at)
         VALUES ('sal-1', 'D1-20250103-0001', 'sale', 'ses-1', '2025-01-03', 'stf-02', 'cus-1', 129900, 0, 129900, 0, 129900, 0, 0, '2025-01-03T03:00:00.000Z')`,
      ).run();
      db.prepare(
        `INSERT INTO sale_line (id, sale_id, line_no, sku, name_zh, name_en, colour_zh, colour_en, size, qty, list_unit_fen, unit_fen, discount_fen, total_fen, detail)
         SELECT 'sl-1', 'sal-1', 1, k.sku, s.name_zh, s.name_en, k.colour_zh, k.colour_en, k.size, 1, k.price_fen, k.price_fen, 0, k.price_fen, '{}'
           FROM sku k JOIN style s ON s.code = k.style_code WHERE k.sku = 'SF25W0001-001-S'`,
      ).run();
      expect(
        db
          .prepare(
            `SELECT c.name, l.name_zh, l.total_fen FROM sale AS s JOIN customer AS c ON c.id = s.customer_id JOIN sale_line AS l ON l.sale_id = s.id`,
          )
          .all(),
      ).toEqual([{ name: '王小明', name_zh: '羽绒服', total_fen: 129900 }]);
      // The print queue of version 2 still takes the receipt.
      expect(db.prepare(`SELECT count(*) FROM print_job WHERE receipt_no = 'D1-20250102-0001'`).pluck().get()).toBe(2);
    } finally {
      upgrade.close();
    }
  });
});
