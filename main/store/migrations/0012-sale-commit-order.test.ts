import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';
import saleCommitOrder from './0012-sale-commit-order.js';

const from = saleCommitOrder.version - 1;

describe('device migration 12 (sales numbered in the order the till wrote them) on a store with data', () => {
  it('keeps every row and numbers the sales already written by time, then receipt number; a number is one sale’s', () => {
    const upgrade = upgradeStore({
      from,
      seed: (db) => {
        seedStoreRows(db, from);
        // Two more returns of sal-1: one at sal-2's very time (the receipt number decides), one
        // whose time is before sal-2's though its receipt number is later (a clock that stepped back).
        db.exec(`
          INSERT INTO sale (id, receipt_no, kind, session_id, business_day, staff_id, customer_id, original_sale_id, subtotal_fen, discount_fen,
                            total_fen, refund_fen, net_fen, change_fen, offline, created_at) VALUES
            ('sal-4', 'D1-20250102-0004', 'return', 'ses-1', '2025-01-02', 'stf-02', NULL, 'sal-1', 0, 0, 0, 0, 0, 0, 0, '2025-01-02T04:00:00.000Z'),
            ('sal-3', 'D1-20250102-0003', 'return', 'ses-1', '2025-01-02', 'stf-02', NULL, 'sal-1', 0, 0, 0, 0, 0, 0, 0, '2025-01-02T05:00:00.000Z');
        `);
      },
    });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.prepare('SELECT id, commit_seq FROM sale ORDER BY commit_seq').all()).toEqual([
        { id: 'sal-1', commit_seq: 1 },
        { id: 'sal-4', commit_seq: 2 },
        { id: 'sal-2', commit_seq: 3 },
        { id: 'sal-3', commit_seq: 4 },
      ]);
      expect(() => db.prepare(`UPDATE sale SET commit_seq = 1 WHERE id = 'sal-2'`).run()).toThrow(/UNIQUE/);
    } finally {
      upgrade.close();
    }
  });
});
