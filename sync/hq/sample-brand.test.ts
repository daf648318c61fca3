import { afterAll, describe, expect, it } from 'vitest';
import { verifyPin } from '../protocol/pin-credential.js';
import { openHqDb } from './db.js';
import { migrateHq } from './migrate.js';
import { importSampleBrand, sampleBrandInterrupted } from './sample-brand.js';
import { testBackends } from './testing/backends.js';
import { sampleCounts } from './testing/sample-counts.js';
import { CHANGE_ROWS } from './testing/change-log.js';

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
        `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S001' AND kind = 'staff_credential' ORDER BY key`,
      );
      const byId = new Map(creds.map((c) => [c.row[0], c.row]));
      const manager = byId.get('stf-S001-01');
      const cashier = byId.get('stf-S001-02');
      expect(manager && verifyPin('0101', manager[1], manager[2])).toBe(true);
      expect(cashier && verifyPin('0202', cashier[1], cashier[2])).toBe(true);
      expect(cashier && verifyPin('0101', cashier[1], cashier[2])).toBe(false);
      const [roles] = await db.query<{ row: unknown[] }>(
        `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S001' AND kind = 'staff' AND key = 'stf-S001-01'`,
      );
      expect(roles?.row[4]).toBe('manager');
      // The change log feeds each scope its own slice.
      expect(await n(`SELECT count(*)::int AS n FROM ${CHANGE_ROWS} WHERE scope = 'brand:SFL' AND kind = 'sku'`)).toBe(300);
      expect(await n(`SELECT count(*)::int AS n FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S001' AND kind = 'stock'`)).toBe(300);
      expect(await n(`SELECT count(*)::int AS n FROM ${CHANGE_ROWS} WHERE scope = 'brand:SFL' AND kind = 'stock'`)).toBe(300);

      await expect(importSampleBrand(db, { skus: 10, customers: 1 })).rejects.toThrow(/already/);
      expect(await n('SELECT count(*)::int AS n FROM sku')).toBe(300);
    } finally {
      await db.close();
    }
    // Opening PGlite and hashing every store's PINs takes many seconds on a busy 2-core machine.
  }, 180_000);

  it('leaves alone a brand of the same code that is not the sample, and an empty HQ is not an interrupted one', async () => {
    const db = await openHqDb({ databaseUrl: await backend.databaseUrl() });
    try {
      await migrateHq(db);
      expect(await sampleBrandInterrupted(db)).toBe(false);
      await db.query("INSERT INTO brand (code, name_zh, name_en) VALUES ('SFL', '另一个', 'Another label')");
      expect(await sampleBrandInterrupted(db)).toBe(false);
      await expect(importSampleBrand(db, { skus: 10, customers: 5, stores: 1 })).rejects.toThrow(/not the sample brand/);
      const [n] = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM location) + (SELECT count(*) FROM sku) AS n');
      expect(Number(n?.n)).toBe(0);
    } finally {
      await db.close();
    }
  }, 60_000);

  // The catalog half ends with the promotions, the customer half with the coupons: a failure there
  // undoes that half alone, and the same import run again loads only what is missing.
  it.each([
    { half: 'catalog', table: 'promotion' },
    { half: 'customer', table: 'coupon' },
  ])(
    'completes an import whose $half half failed when it is run again, and loads the other half once',
    async ({ table }) => {
      const db = await openHqDb({ databaseUrl: await backend.databaseUrl() });
      try {
        await migrateHq(db);
        await db.exec(`
        CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: ${table} refused'; END $$;
        CREATE TRIGGER test_fail BEFORE INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION test_fail();`);
        const options = { skus: 40, customers: 30, stores: 2 };
        await expect(importSampleBrand(db, options)).rejects.toThrow(`test: ${table} refused`);
        const half = await sampleCounts(db);
        expect(await sampleBrandInterrupted(db)).toBe(true);
        if (table === 'promotion') expect(half).toMatchObject({ sku: 0, stock: 0, promotion: 0, customer: 30, coupon: 11 });
        else expect(half).toMatchObject({ sku: 40, stock: 3 * 40, promotion: 3, customer: 0, customer_tag: 0, coupon: 0 });

        await db.exec('DROP TRIGGER test_fail ON ' + table);
        const loaded = await importSampleBrand(db, options);
        expect(await sampleBrandInterrupted(db)).toBe(false);
        const whole = await sampleCounts(db);
        expect(whole).toMatchObject({ sku: 40, stock: 3 * 40, customer: 30, promotion: 3, coupon: loaded.coupons });
        expect(whole.customer_tag).toBeGreaterThan(0);
        // Nothing missing, nothing twice: a fresh HQ fed the same import has as many rows of each table and feed kind.
        const fresh = await openHqDb({ databaseUrl: await backend.databaseUrl() });
        try {
          await migrateHq(fresh);
          await importSampleBrand(fresh, options);
          expect(whole).toEqual(await sampleCounts(fresh));
        } finally {
          await fresh.close();
        }
        await expect(importSampleBrand(db, options)).rejects.toThrow(/already/);
      } finally {
        await db.close();
      }
    },
    180_000,
  );
});
