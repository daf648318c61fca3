import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/** Where the feed has cus-1's member code and coupon (hq-rows.ts version 1), live or as tombstones. */
const childFeed = (db: HqDb) =>
  db.query<{ scope: string; kind: string; key: string; row: unknown; deleted: boolean }>(
    `SELECT scope, kind, key, row, deleted FROM change WHERE key IN ('M00000001', 'CPN-00000001-111')
      ORDER BY scope COLLATE "C", kind COLLATE "C"`,
  );

const COUPON_ROW = [
  'CPN-00000001-111',
  'cus-1',
  'amount',
  '1.1元券',
  '¥1.1 coupon',
  110,
  0,
  0,
  true,
  '2025-01-01T00:00:00.000Z',
  '2025-12-31T00:00:00.000Z',
  'used',
];
const MOVED_TO_S002 = [
  { scope: 'store:loc-S001', kind: 'coupon', key: 'CPN-00000001-111', row: ['CPN-00000001-111'], deleted: true },
  { scope: 'store:loc-S001', kind: 'member_code', key: 'M00000001', row: ['M00000001'], deleted: true },
  { scope: 'store:loc-S002', kind: 'coupon', key: 'CPN-00000001-111', row: COUPON_ROW, deleted: false },
  { scope: 'store:loc-S002', kind: 'member_code', key: 'M00000001', row: ['M00000001', 'cus-1'], deleted: false },
];

describe.each(backends)('HQ migration 4 (move-customer-children) on $name', (backend) => {
  it('keeps every row of version 3; then a customer moving stores takes their member code and coupons along', async () => {
    const upgrade = await upgradeHq(backend, { from: 3, seed: (db) => seedHqRows(db, 3) });
    const { db } = upgrade;
    try {
      await expect(upgrade.rowsNow()).resolves.toEqual(upgrade.before);
      expect(await db.query('SELECT version, name FROM hq_migration ORDER BY version')).toEqual([
        { version: 1, name: 'create-hq' },
        { version: 2, name: 'facts-as-of' },
        { version: 3, name: 'settle-redemptions' },
        { version: 4, name: 'move-customer-children' },
      ]);
      const before = await childFeed(db);
      // An update that keeps the store moves nothing.
      await db.query(`UPDATE customer SET points = points + 1 WHERE id = 'cus-1'`);
      expect(await childFeed(db)).toEqual(before);

      await db.query(`UPDATE customer SET store_id = 'loc-S002' WHERE id = 'cus-1'`);
      expect(await childFeed(db)).toEqual(MOVED_TO_S002);
      // And back: the old store's tombstones become the rows again.
      await db.query(`UPDATE customer SET store_id = 'loc-S001' WHERE id = 'cus-1'`);
      expect((await childFeed(db)).map((r) => [r.scope, r.kind, r.deleted])).toEqual([
        ['store:loc-S001', 'coupon', false],
        ['store:loc-S001', 'member_code', false],
        ['store:loc-S002', 'coupon', true],
        ['store:loc-S002', 'member_code', true],
      ]);
    } finally {
      await upgrade.close();
    }
  });

  it('repairs the feed of a customer who moved stores before version 4', async () => {
    const upgrade = await upgradeHq(backend, {
      from: 3,
      seed: async (db) => {
        await seedHqRows(db, 3);
        await db.query(`UPDATE customer SET store_id = 'loc-S002' WHERE id = 'cus-1'`);
      },
    });
    const { db } = upgrade;
    try {
      // Versions 1–3 left the member code and coupon in the old store's feed only.
      const stale = upgrade.before.change?.filter((c) => c.key === 'M00000001' || c.key === 'CPN-00000001-111');
      expect(stale?.map((c) => [c.scope, c.kind, c.deleted])).toEqual([
        ['store:loc-S001', 'coupon', false],
        ['store:loc-S001', 'member_code', false],
      ]);
      expect(await childFeed(db)).toEqual(MOVED_TO_S002);
      // Nothing but the feed changed.
      const { change: _before, ...restBefore } = upgrade.before;
      const { change: _now, ...restNow } = await upgrade.rowsNow();
      expect(restNow).toEqual(restBefore);
    } finally {
      await upgrade.close();
    }
  });
});
