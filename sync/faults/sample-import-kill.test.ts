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
import { migrateHq } from '../hq/migrate.js';
import { importSampleBrand, sampleBrandInterrupted } from '../hq/sample-brand.js';
import { testBackends } from '../hq/testing/backends.js';
import { sampleCounts } from '../hq/testing/sample-counts.js';
import { startHqProcess } from './hq-process.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

/** What hq-child.ts loads. */
const SAMPLE = { skus: 200, customers: 20, stores: 2, stockStores: ['S001'] };

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
        expect((await sampleCounts(half)).customer).toBe(0);
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
        const whole = await sampleCounts(db);
        expect(whole).toEqual(await sampleCounts(reference));
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
