import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES, isEntityKind, keyOf } from '../../protocol/entities.js';
import type { CellValue } from '../../protocol/entities.js';
import { CHUNK_ROWS, openBulkLoader } from '../bulk-load.js';
import { openHqDb } from '../db.js';
import type { HqDb, Sql } from '../db.js';
import { readFeeds } from '../feed.js';
import { importSampleBrand } from '../sample-brand.js';
import { openEmptyHq, testBackends } from '../testing/backends.js';
import type { TestBackend } from '../testing/backends.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { migrateHq } from '../migrate.js';
import compact from './0011-compact-change-chunks.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-12-06T10:00:00.000Z');

type Feed = { pages: string[]; tables: Map<string, Map<string, string>> };

/**
 * What a device provisioned now from `scope` reads and ends with: every page as HQ serves it, and
 * each kind's rows by key, applied as sync/client/apply.ts applies a page (its tombstones first).
 */
async function provision(db: HqDb, scope: string, limit: number): Promise<Feed> {
  const tables = new Map<string, Map<string, string>>();
  const pages: string[] = [];
  const table = (kind: string) => tables.get(kind) ?? tables.set(kind, new Map()).get(kind)!;
  let cursor = '';
  for (;;) {
    const [page] = await readFeeds(db, [{ scope, cursor }], limit, false);
    if (!page) throw new Error('no page');
    pages.push(page.json);
    const sets = JSON.parse(page.json) as { kind: string; rows: CellValue[][]; deletes: CellValue[][] }[];
    for (const set of sets) for (const d of set.deletes) table(set.kind).delete(JSON.stringify(d));
    for (const set of sets) {
      if (!isEntityKind(set.kind)) throw new Error(`unknown kind ${set.kind}`);
      for (const r of set.rows) table(set.kind).set(JSON.stringify(keyOf(ENTITIES[set.kind], r)), JSON.stringify(r));
    }
    cursor = page.cursor;
    if (!page.more) return { pages, tables };
  }
}

/** The rows of a page set that are not tombstones, as text. */
const servedRows = (feed: Feed) =>
  feed.pages.flatMap((json) => (JSON.parse(json) as { rows: unknown[] }[]).map((s) => JSON.stringify(s.rows))).join('\n');

const chunksOf = (db: HqDb, scope: string, kind: string) =>
  db.query<{ key: string; n: number; keys: string[] }>(
    'SELECT key, n, keys FROM change WHERE scope = $1 AND kind = $2 AND keys IS NOT NULL ORDER BY key',
    [scope, kind],
  );

/**
 * The first store's stock loaded again as one chunk (its earlier stock and feed gone), then
 * `then` in the load's own transaction.
 */
async function freshStoreStock(db: HqDb, then?: (sql: Sql, store: string, skus: string[]) => Promise<void>) {
  const [store] = await db.query<{ id: string }>("SELECT id FROM location WHERE kind = 'store' ORDER BY id LIMIT 1");
  const scope = `store:${store?.id}`;
  const skus = (await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku')).map((r) => r.sku);
  await db.tx(async (sql) => {
    await sql.query('DELETE FROM stock WHERE location_id = $1', [store?.id]);
    await sql.query("DELETE FROM change WHERE scope = $1 AND kind = 'stock'", [scope]);
  });
  await db.tx(async (sql) => {
    const loader = await openBulkLoader(sql, ['stock']);
    await loader.insert(
      'stock',
      'INSERT INTO stock (location_id, sku, qty, updated_at) SELECT $1, u.sku, 5, $2 FROM unnest($3::text[]) AS u(sku)',
      [store?.id, NOW, skus],
    );
    await then?.(sql, store?.id ?? '', skus);
  });
  return { store, scope, skus };
}

describe.each(backends)('HQ migration compact-change-chunks on $name', (backend: TestBackend) => {
  let db: HqDb;
  beforeAll(async () => {
    ({ db } = await openEmptyHq(backend));
    await importSampleBrand(db, { skus: 12, customers: 40, stores: 2, now: NOW });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('keeps every row of an HQ of the version before', async () => {
    const upgrade = await upgradeHq(backend, { from: compact.version - 1 });
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
    } finally {
      await upgrade.close();
    }
  });

  it('loads the customer book in chunks, as the catalog', async () => {
    const kinds = await db.query<{ kind: string }>('SELECT DISTINCT kind FROM change WHERE keys IS NOT NULL ORDER BY kind');
    expect(kinds.map((k) => k.kind)).toEqual([
      'customer',
      'customer_profile',
      'customer_purchase',
      'customer_tag',
      'customer_task',
      'member_code',
      'sku',
      'stock',
      'style',
    ]);
  });

  it("takes a customer who moved stores out of the old store's chunks: a device provisioned there later never reads their data", async () => {
    const [who] = await db.query<{ id: string; store: string; other: string; name: string; phone: string }>(
      `SELECT c.id, c.store_id AS store, (SELECT l.id FROM location AS l WHERE l.kind = 'store' AND l.id <> c.store_id ORDER BY l.id LIMIT 1) AS other,
              c.name, c.phone
         FROM customer AS c WHERE EXISTS (SELECT 1 FROM customer_tag AS t WHERE t.customer_id = c.id)
          AND EXISTS (SELECT 1 FROM customer_purchase AS p WHERE p.customer_id = c.id) ORDER BY c.id LIMIT 1`,
    );
    if (!who) throw new Error('the sample has no customer with tags and purchases');
    const oldScope = `store:${who.store}`;
    const before = await provision(db, oldScope, 7);
    expect(servedRows(before)).toContain(who.id);
    const chunkedBefore = await chunksOf(db, oldScope, 'customer');
    expect(chunkedBefore.some((c) => c.keys.includes(who.id))).toBe(true);

    await db.query('UPDATE customer SET store_id = $1 WHERE id = $2', [who.other, who.id]);

    // The old store's log: no chunk holds any of the customer's rows, and one less row.
    const left = await db.query<{ kind: string; n: string }>(
      `SELECT kind, count(*)::text AS n FROM change, unnest(keys) AS k(key)
        WHERE scope = $1 AND keys IS NOT NULL AND (k.key = $2 OR k.key LIKE $2 || '|%' OR k.key IN (SELECT id FROM customer_purchase WHERE customer_id = $2)
              OR k.key IN (SELECT code FROM member_code WHERE customer_id = $2)) GROUP BY kind`,
      [oldScope, who.id],
    );
    expect(left).toEqual([]);
    const chunkedAfter = await chunksOf(db, oldScope, 'customer');
    expect(chunkedAfter.reduce((s, c) => s + c.n, 0)).toBe(chunkedBefore.reduce((s, c) => s + c.n, 0) - 1);

    // A device provisioned at the old store now: not a byte of theirs in a row it is sent, at any page size.
    for (const limit of [1, 7, CHUNK_ROWS]) {
      const after = await provision(db, oldScope, limit);
      const rows = servedRows(after);
      expect(rows).not.toContain(who.id);
      expect(rows).not.toContain(who.phone);
      expect(after.tables.get('customer')?.size).toBe((before.tables.get('customer')?.size ?? 0) - 1);
    }
    // The device provisioned before the move ends the same once it reads on: the move's tombstones delete them.
    const [customers] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer WHERE store_id = $1', [who.store]);
    expect((await provision(db, oldScope, 7)).tables.get('customer')?.size).toBe(customers?.n);
    // The new store has them.
    const moved = await provision(db, `store:${who.other}`, 7);
    expect(moved.tables.get('customer')?.get(JSON.stringify([who.id]))).toContain(who.phone);
  });

  it('deletes a chunk whose every row is deleted, and keeps the order a device needs for rows changed, then deleted', async () => {
    const { store, scope, skus } = await freshStoreStock(db);
    expect((await chunksOf(db, scope, 'stock')).map((c) => c.n)).toEqual([skus.length]);

    // One row changed (a change row of its own after the chunk), then deleted: its tombstone upserts that row.
    await db.query('UPDATE stock SET qty = 9 WHERE location_id = $1 AND sku = $2', [store?.id, skus[0]]);
    await db.query('DELETE FROM stock WHERE location_id = $1 AND sku = $2', [store?.id, skus[0]]);
    // Two more deleted in one statement.
    await db.query('DELETE FROM stock WHERE location_id = $1 AND sku = ANY ($2)', [store?.id, skus.slice(1, 3)]);
    const [chunk] = await chunksOf(db, scope, 'stock');
    expect(chunk?.n).toBe(skus.length - 3);
    expect(chunk?.keys.sort()).toEqual(
      skus
        .slice(3)
        .map((s) => `${store?.id}|${s}`)
        .sort(),
    );
    const device = await provision(db, scope, 5);
    expect([...(device.tables.get('stock')?.keys() ?? [])].sort()).toEqual(
      skus
        .slice(3)
        .map((s) => JSON.stringify([store?.id, s]))
        .sort(),
    );

    // The rest: the chunk goes.
    await db.query('DELETE FROM stock WHERE location_id = $1', [store?.id]);
    expect(await chunksOf(db, scope, 'stock')).toEqual([]);
    expect((await provision(db, scope, 5)).tables.get('stock')?.size ?? 0).toBe(0);
  });

  it('takes 20,000 rows out of 20 chunks in one statement, unnesting each chunk once', async () => {
    const [style] = await db.query<{ code: string; brand: string }>('SELECT code, brand FROM style ORDER BY code LIMIT 1');
    const codes = Array.from({ length: 20 * CHUNK_ROWS }, (_, i) => `BULK-${String(i).padStart(6, '0')}`);
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, ['sku']);
      await loader.insert(
        'sku',
        `INSERT INTO sku (sku, brand, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active)
         SELECT u.sku, $1, $2, '001', '黑', 'Black', 'M', 3, '7' || lpad(u.i::text, 12, '0'), 19900, true FROM unnest($3::text[]) WITH ORDINALITY AS u(sku, i)`,
        [style?.brand, style?.code, codes],
      );
    });
    const scope = `brand:${style?.brand}`;
    const bulk = async () => (await chunksOf(db, scope, 'sku')).filter((c) => c.keys.some((k) => k.startsWith('BULK-'))).map((c) => c.n);
    expect(await bulk()).toEqual(Array(20).fill(CHUNK_ROWS));
    // Every other row, then the rest. Comparing each tombstone with every chunked row took minutes
    // at this size (20,000 × 20,000); unnested and hashed it takes well under a second.
    await db.query("DELETE FROM sku WHERE sku LIKE 'BULK-%' AND right(sku, 1) IN ('0', '2', '4', '6', '8')");
    expect(await bulk()).toEqual(Array(20).fill(CHUNK_ROWS / 2));
    await db.query("DELETE FROM sku WHERE sku LIKE 'BULK-%'");
    expect(await bulk()).toEqual([]);
    const [left] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM change_row WHERE key LIKE 'BULK-%' AND NOT deleted");
    expect(left?.n).toBe(0);
  }, 15_000);

  it('leaves a chunk of the writing transaction to its settling: a row its own transaction deleted is out of it at commit', async () => {
    const { store, scope, skus } = await freshStoreStock(db, async (sql, id, loaded) => {
      await sql.query('UPDATE stock SET qty = 7 WHERE location_id = $1 AND sku = $2', [id, loaded[1]]);
      await sql.query('DELETE FROM stock WHERE location_id = $1 AND sku = $2', [id, loaded[0]]);
    });
    const [chunk] = await chunksOf(db, scope, 'stock');
    expect(chunk?.keys.sort()).toEqual(
      skus
        .slice(2)
        .map((s) => `${store?.id}|${s}`)
        .sort(),
    );
    const stock = (await provision(db, scope, 3)).tables.get('stock');
    expect(stock?.has(JSON.stringify([store?.id, skus[0]]))).toBe(false);
    expect(JSON.parse(stock?.get(JSON.stringify([store?.id, skus[1]])) ?? '[]')).toContain(7);
    expect(stock?.size).toBe(skus.length - 1);
  });

  // PostgreSQL only: PGlite has no ICU collations to make a database with.
  it.runIf(backend.name === 'postgres')(
    "finds the chunks whatever the database's collation (one that ignores control characters, as a chain's cluster may have)",
    async () => {
      const url = new URL((await backend.databaseUrl()) as string);
      const admin = await openHqDb({ databaseUrl: url.toString(), poolSize: 1 });
      const name = `hq_icu_${process.pid}`;
      try {
        await admin.exec(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
        url.pathname = `/${name}`;
        const icu = await openHqDb({ databaseUrl: url.toString(), poolSize: 2 });
        try {
          await migrateHq(icu);
          const [ignores] = await icu.query<{ ignores: boolean }>("SELECT NOT (chr(1) || '1' < chr(2)) AS ignores");
          expect(ignores?.ignores).toBe(true);
          await importSampleBrand(icu, { skus: 12, customers: 4, stores: 1, now: NOW });
          const [row] = await icu.query<{ location_id: string; sku: string }>('SELECT location_id, sku FROM stock ORDER BY sku LIMIT 1');
          const scope = `store:${row?.location_id}`;
          const before = await chunksOf(icu, scope, 'stock');
          await icu.query('DELETE FROM stock WHERE location_id = $1 AND sku = $2', [row?.location_id, row?.sku]);
          const after = await chunksOf(icu, scope, 'stock');
          expect(after.reduce((s, c) => s + c.n, 0)).toBe(before.reduce((s, c) => s + c.n, 0) - 1);
          expect(after.flatMap((c) => c.keys)).not.toContain(`${row?.location_id}|${row?.sku}`);
        } finally {
          await icu.close();
        }
      } finally {
        await admin.exec(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
        await admin.close();
      }
    },
  );
});
