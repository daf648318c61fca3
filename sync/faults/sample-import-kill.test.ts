/**
 * HQ killed -9 in the middle of loading the sample brand on its first start (inside the customer
 * part's transaction; the catalog part beside it may have committed or not), then started again
 * on the same database: the second start completes the brand (sync/hq/sample-brand.ts,
 * `sampleBrandInterrupted`), and the result is row for row what one uninterrupted import makes.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../main/testing/temp-dir.js';
import { openHqDb } from '../hq/db.js';
import type { HqDb } from '../hq/db.js';
import { migrateHq } from '../hq/migrate.js';
import { importSampleBrand, sampleBrandInterrupted } from '../hq/sample-brand.js';
import { testBackends } from '../hq/testing/backends.js';
import { startHqProcess } from './hq-process.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

/** What hq-child.ts loads. */
const SAMPLE = { skus: 200, customers: 20, stores: 2, stockStores: ['S001'] };

/** Every table the import writes, counted, and the change log by kind. */
async function loaded(db: HqDb): Promise<Record<string, number>> {
  const tables = ['location', 'staff', 'style', 'sku', 'stock', 'promotion', 'customer', 'customer_profile', 'member_code', 'coupon'];
  const tablesToo = ['customer_tag', 'customer_purchase', 'customer_note', 'customer_task', 'guide_result'];
  const counts: Record<string, number> = {};
  for (const table of [...tables, ...tablesToo]) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = row?.n ?? -1;
  }
  for (const row of await db.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM change GROUP BY kind')) {
    counts[`change:${row.kind}`] = row.n;
  }
  return counts;
}

describe.each(backends)('HQ killed -9 while it loads the sample brand, on $name', (backend) => {
  it('completes the brand on its next start, with nothing twice', async () => {
    const dir = tempDir('shopfloor-sample-kill-');
    const databaseUrl = await backend.databaseUrl();
    const pgliteDir = join(dir.path, 'pglite');
    const reference = await openHqDb({ databaseUrl: await backend.databaseUrl() });
    try {
      await expect(startHqProcess({ port: 0, pgliteDir, databaseUrl, crash: 'mid-sample-import' })).rejects.toThrow(
        /signal SIGKILL, killed at mid-sample-import/,
      );
      const half = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir });
      try {
        // Killed before its member codes: no customer of the sample made it.
        expect(await sampleBrandInterrupted(half)).toBe(true);
        expect((await loaded(half)).customer).toBe(0);
      } finally {
        await half.close();
      }

      const hq = await startHqProcess({ port: 0, pgliteDir, databaseUrl });
      await hq.stop();
      const db = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir });
      try {
        expect(await sampleBrandInterrupted(db)).toBe(false);
        await migrateHq(reference);
        await importSampleBrand(reference, SAMPLE);
        const whole = await loaded(db);
        expect(whole).toEqual(await loaded(reference));
        expect(whole).toMatchObject({ sku: 200, customer: 20, member_code: 20, stock: 2 * 200 });
      } finally {
        await db.close();
      }
    } finally {
      await reference.close();
      dir.cleanup();
    }
  }, 240_000);
});
