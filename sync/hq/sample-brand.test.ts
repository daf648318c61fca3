import { afterAll, describe, expect, it } from 'vitest';
import { verifyPin } from '../protocol/pin-credential.js';
import { openHqDb } from './db.js';
import { migrateHq } from './migrate.js';
import { importSampleBrand } from './sample-brand.js';
import { testBackends } from './testing/backends.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('the sample brand on $name', (backend) => {
  it('loads every store, staff with demo PINs, customers, member codes, promotions, coupons and stock, once', async () => {
    const db = await openHqDb({ databaseUrl: await backend.databaseUrl() });
    try {
      await migrateHq(db);
      const counts = await importSampleBrand(db, { skus: 300, customers: 120, stores: 3 });
      const n = async (sql: string) => (await db.query<{ n: number }>(sql))[0]?.n;
      expect(counts).toMatchObject({ brand: 'SFL', locations: 4, skus: 300, customers: 120, promotions: 3 });
      expect(await n('SELECT count(*)::int AS n FROM sku')).toBe(300);
      expect(await n("SELECT count(*)::int AS n FROM location WHERE kind = 'store'")).toBe(3);
      expect(await n('SELECT count(*)::int AS n FROM customer')).toBe(120);
      expect(await n('SELECT count(*)::int AS n FROM member_code')).toBe(120);
      // Every store and the warehouse have stock of every SKU.
      expect(await n('SELECT count(*)::int AS n FROM stock')).toBe(4 * 300);
      expect(counts.stockRows).toBe(4 * 300);
      // The brand-wide coupons once, plus each store's demo member's ¥1.1 bundle of four.
      expect(await n('SELECT count(*)::int AS n FROM coupon WHERE customer_id IS NULL')).toBe(3);
      expect(await n('SELECT count(*)::int AS n FROM coupon')).toBe(counts.coupons);

      // What the demo device of S001 will pull: its staff with PIN hashes the device checks.
      const creds = await db.query<{ row: [string, string, string] }>(
        "SELECT row FROM change WHERE scope = 'store:loc-S001' AND kind = 'staff_credential' ORDER BY key",
      );
      const byId = new Map(creds.map((c) => [c.row[0], c.row]));
      const manager = byId.get('stf-S001-01');
      const cashier = byId.get('stf-S001-02');
      expect(manager && verifyPin('0101', manager[1], manager[2])).toBe(true);
      expect(cashier && verifyPin('0202', cashier[1], cashier[2])).toBe(true);
      expect(cashier && verifyPin('0101', cashier[1], cashier[2])).toBe(false);
      const [roles] = await db.query<{ row: unknown[] }>(
        "SELECT row FROM change WHERE scope = 'store:loc-S001' AND kind = 'staff' AND key = 'stf-S001-01'",
      );
      expect(roles?.row[4]).toBe('manager');
      // The change log feeds each scope its own slice.
      expect(await n("SELECT count(*)::int AS n FROM change WHERE scope = 'brand:SFL' AND kind = 'sku'")).toBe(300);
      expect(await n("SELECT count(*)::int AS n FROM change WHERE scope = 'store:loc-S001' AND kind = 'stock'")).toBe(300);
      expect(await n("SELECT count(*)::int AS n FROM change WHERE scope = 'brand:SFL' AND kind = 'stock'")).toBe(300);

      await expect(importSampleBrand(db, { skus: 10, customers: 1 })).rejects.toThrow(/already/);
      expect(await n('SELECT count(*)::int AS n FROM sku')).toBe(300);
    } finally {
      await db.close();
    }
    // Opening PGlite and hashing every store's PINs takes many seconds on a busy 2-core machine.
  }, 180_000);
});
