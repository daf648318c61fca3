import { afterAll, describe, expect, it } from 'vitest';
import { BULK_FEEDS } from './bulk-feeds.js';
import { BulkLoadError, openBulkLoader } from './bulk-load.js';
import type { HqDb } from './db.js';
import { importSampleBrand } from './sample-brand.js';
import { openEmptyHq, testBackends } from './testing/backends.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-03-01T02:03:04.567Z');

/** The feed as a device reads it: every change row but the transaction id, in a fixed order. */
async function feedRows(db: HqDb): Promise<string[]> {
  const rows = await db.query<{ r: string }>(
    "SELECT concat_ws(E'\\t', scope, kind, key, rank, row::text, deleted) AS r FROM change ORDER BY scope, kind, key",
  );
  return rows.map((r) => r.r);
}

describe.each(backends)('the bulk loader on $name', (backend) => {
  it('writes the sample brand with the triggers off, and the feed is row for row what the triggers wrote', async () => {
    const bulk = await openEmptyHq(backend);
    const triggers = await openEmptyHq(backend);
    try {
      // The loader only bypasses triggers it reproduces: on a migrated HQ that is every table it knows.
      expect((await bulk.db.tx((sql) => openBulkLoader(sql, Object.keys(BULK_FEEDS)))).setBased).toBe(true);
      const options = { skus: 240, customers: 150, stores: 2, now: NOW };
      const a = await importSampleBrand(bulk.db, options);
      const b = await importSampleBrand(triggers.db, { ...options, setBased: false });
      expect(a).toEqual(b);
      const fed = await feedRows(bulk.db);
      expect(fed).toEqual(await feedRows(triggers.db));
      // Every SKU and every stock row (two stores and the warehouse) are in the feed, as the trigger shaped them.
      const n = async (where: string) => (await bulk.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM change WHERE ${where}`))[0]?.n;
      expect(await n("scope = 'brand:SFL' AND kind = 'sku'")).toBe(240);
      expect(await n("kind = 'stock'")).toBe(3 * 240);
      const [stock] = await bulk.db.query<{ row: unknown[]; qty: number }>(
        `SELECT c.row, s.qty FROM change c JOIN stock s ON c.key = s.location_id || '|' || s.sku
          WHERE c.scope = 'store:loc-S001' AND c.kind = 'stock' ORDER BY c.key LIMIT 1`,
      );
      expect(stock?.row[2]).toBe(stock?.qty);
      expect(stock?.row[3]).toBe('2026-03-01T02:03:04.567Z');
      // One transaction wrote it all: one xid, so the feed serves it whole, below the horizon, or not at all.
      expect(await bulk.db.query('SELECT DISTINCT xid::text FROM change')).toHaveLength(1);
    } finally {
      await bulk.db.close();
      await triggers.db.close();
    }
  }, 240_000);

  it('refuses a row whose parent is missing, says which value, and writes nothing', async () => {
    const { db } = await openEmptyHq(backend);
    try {
      await importSampleBrand(db, { skus: 20, customers: 5, stores: 1, now: NOW });
      const counts = async () =>
        (
          await db.query<{ s: number; c: number }>('SELECT (SELECT count(*) FROM stock)::int AS s, (SELECT count(*) FROM change)::int AS c')
        )[0];
      const before = await counts();
      const [sku] = await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1');
      const attempt = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        expect(loader.setBased).toBe(true);
        await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001'");
        return loader.insert(
          'stock',
          `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT 'loc-S001', u.sku, 1, now() FROM unnest($1::text[]) AS u(sku)`,
          [[sku?.sku, 'NO-SUCH-SKU']],
        );
      });
      await expect(attempt).rejects.toThrow(BulkLoadError);
      await expect(attempt).rejects.toMatchObject({ code: '23503', detail: expect.stringMatching(/NO-SUCH-SKU/) });
      expect(await counts()).toEqual(before);
    } finally {
      await db.close();
    }
  }, 120_000);
});
