import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import financeResolves from './0017-finance-resolves.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration finance-resolves on $name', (backend) => {
  it('keeps every conflict and refund exception open as it was, and a resolution goes with its time', async () => {
    const upgrade = await upgradeHq(backend, {
      from: financeResolves.version - 1,
      seed: async (db) => {
        await seedHqRows(db, 9);
        await db.exec(
          `INSERT INTO refund_exception (event_id, n, sale_id, store_id, business_day, original_sale_id, method, instead_of, amount_fen, unfunded_fen, detail)
           VALUES (gen_random_uuid(), 1, 's', 'loc-S001', '2026-11-20', 'o', 'cash', 'card', 100, 0, 'd')`,
        );
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      const open = (table: string) =>
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE resolved_at IS NULL AND resolved_by IS NULL AND resolution IS NULL`,
        );
      expect((upgrade.before.settlement_conflict ?? []).length).toBeGreaterThan(0);
      expect(await open('settlement_conflict')).toEqual([{ n: upgrade.before.settlement_conflict!.length }]);
      expect(await open('refund_exception')).toEqual([{ n: 1 }]);
      for (const table of ['settlement_conflict', 'refund_exception']) {
        await expect(db.query(`UPDATE ${table} SET resolved_at = now()`)).rejects.toThrow(/check constraint/);
        await expect(db.query(`UPDATE ${table} SET resolution = 'written off'`)).rejects.toThrow(/check constraint/);
        await expect(db.query(`UPDATE ${table} SET resolved_by = 'admin'`)).rejects.toThrow(/check constraint/);
        await db.query(`UPDATE ${table} SET resolved_at = now(), resolved_by = 'admin', resolution = 'written off'`);
      }
    } finally {
      await upgrade.close();
    }
  });
});
