import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openHqDb } from './db.js';
import { migrateHq } from './migrate.js';
import { HQ_MIGRATIONS } from './migrations/index.js';
import { makePgliteTemplate, pgliteTemplate } from './pglite-template.js';
import { importSampleBrand } from './sample-brand.js';
import { CHANGE_ROWS } from './testing/change-log.js';

const dir = mkdtempSync(join(tmpdir(), 'shopfloor-template-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("HQ's PGlite template", () => {
  it('starts a new local HQ migrated and empty, which takes the sample brand; a stale template is not used', async () => {
    const template = join(dir, 'template');
    expect(await makePgliteTemplate(template)).toBe('made');
    expect(await makePgliteTemplate(template)).toBe('current');
    const load = pgliteTemplate(template);
    expect(load).toBeDefined();
    const db = await openHqDb({ pgliteDir: join(dir, 'hq'), pgliteLoad: load });
    try {
      const versions = await db.query<{ version: number }>('SELECT version FROM hq_migration ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(HQ_MIGRATIONS.map((m) => m.version));
      expect(await migrateHq(db)).toBe(HQ_MIGRATIONS.at(-1)?.version);
      expect(await db.query('SELECT 1 FROM brand')).toHaveLength(0);
      const counts = await importSampleBrand(db, { skus: 30, customers: 10, stores: 1 });
      expect(counts.skus).toBe(30);
      expect(await db.query(`SELECT 1 FROM ${CHANGE_ROWS} WHERE kind = 'sku'`)).toHaveLength(30);
    } finally {
      await db.close();
    }
    // Made by another PGlite or before a migration: not used.
    writeFileSync(join(template, 'key.txt'), '{"pglite":"0.0.0","migrations":[]}');
    expect(pgliteTemplate(template)).toBeUndefined();
    expect(pgliteTemplate(join(dir, 'nowhere'))).toBeUndefined();
  }, 180_000);
});
