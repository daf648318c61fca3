import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration 3 (coupons and points settled at HQ) on $name', (backend) => {
  it('keeps every row of version 2, gives every store a policy its devices get, and feeds settlements to the store', async () => {
    const upgrade = await upgradeHq(backend, { from: 2, seed: (db) => seedHqRows(db, 2) });
    const { db } = upgrade;
    try {
      // Every row is kept; the feed gains only the stores' new policies.
      const now = await upgrade.rowsNow();
      now.change = now.change!.filter((r) => r.kind !== 'store_policy');
      expect(now).toEqual(upgrade.before);
      expect(
        await db.query(
          `SELECT store_id, offline_redeem, offline_points_per_day, offline_coupons_per_day FROM store_policy ORDER BY store_id`,
        ),
      ).toEqual([
        { store_id: 'loc-S001', offline_redeem: 'limit', offline_points_per_day: 5000, offline_coupons_per_day: 2 },
        { store_id: 'loc-S002', offline_redeem: 'limit', offline_points_per_day: 5000, offline_coupons_per_day: 2 },
      ]);
      expect(await db.query(`SELECT scope, key FROM change WHERE kind = 'store_policy' ORDER BY scope`)).toEqual([
        { scope: 'store:loc-S001', key: 'loc-S001' },
        { scope: 'store:loc-S002', key: 'loc-S002' },
      ]);
      // A store opened later gets the default policy too.
      await db.query(`INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
                      VALUES ('loc-S009', 'SF', 'store', 'S009', '新店', 'New store', '上海', 'Shanghai', 31, 121, 'Asia/Shanghai')`);
      expect(await db.query(`SELECT offline_redeem FROM store_policy WHERE store_id = 'loc-S009'`)).toEqual([{ offline_redeem: 'limit' }]);

      await db.query(`INSERT INTO sale_settlement (sale_id, store_id, customer_id, points_burnt, points_earned, conflict, at_risk_fen)
                      VALUES ('sal-1', 'loc-S001', 'cus-1', 100, 1297, NULL, 0)`);
      expect(await db.query(`SELECT scope, row FROM change WHERE kind = 'sale_settlement'`)).toEqual([
        { scope: 'store:loc-S001', row: ['sal-1', 'cus-1', 100, 1297, null, 0, expect.any(String)] },
      ]);
      // The coupon carries which sale redeemed it; its status is still the fed 'used'.
      await db.query(`UPDATE coupon SET redeemed_sale_id = 'sal-1' WHERE code = 'CPN-00000001-111'`);
      expect(await db.query(`SELECT hq_status, redeemed_sale_id FROM coupon WHERE code = 'CPN-00000001-111'`)).toEqual([
        { hq_status: 'used', redeemed_sale_id: 'sal-1' },
      ]);
    } finally {
      await upgrade.close();
    }
  });
});
