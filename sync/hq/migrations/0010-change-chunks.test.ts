import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK_ROWS, openBulkLoader } from '../bulk-load.js';
import type { HqDb, Sql } from '../db.js';
import { readFeeds } from '../feed.js';
import { importSampleBrand } from '../sample-brand.js';
import { openEmptyHq, testBackends } from '../testing/backends.js';
import type { TestBackend } from '../testing/backends.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import chunks from './0010-change-chunks.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-12-06T10:00:00.000Z');
const STOCK = `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT $1, u.sku, 5, $2 FROM unnest($3::text[]) AS u(sku)`;

/**
 * Every row a device reads from the store's feed from the start, key → qty (a tombstone: null),
 * applied as a device applies a page (sync/client/apply.ts): its tombstones first, then its rows in order.
 */
async function deviceStock(db: HqDb, store: string, limit = 7): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  let cursor = '';
  for (;;) {
    const [page] = await readFeeds(db, [{ scope: `store:${store}`, cursor }], limit, false);
    if (!page) throw new Error('no page');
    const sets = (JSON.parse(page.json) as { kind: string; rows: unknown[][]; deletes: unknown[][] }[]).filter((s) => s.kind === 'stock');
    for (const set of sets) for (const d of set.deletes) out.set(`${String(d[0])}|${String(d[1])}`, null);
    for (const set of sets) for (const r of set.rows) out.set(`${String(r[0])}|${String(r[1])}`, r[2] as number);
    cursor = page.cursor;
    if (!page.more) return out;
  }
}

async function tableStock(db: HqDb, store: string): Promise<Map<string, number>> {
  const rows = await db.query<{ sku: string; qty: number }>('SELECT sku, qty FROM stock WHERE location_id = $1', [store]);
  return new Map(rows.map((r) => [`${store}|${r.sku}`, r.qty]));
}

/** The store's stock chunks, each chunk's keys sorted. */
const chunkRows = async (db: HqDb) =>
  (
    await db.query<{ n: number; keys: string[] }>(
      "SELECT n, keys FROM change WHERE keys IS NOT NULL AND scope = 'store:loc-S001' AND kind = 'stock' ORDER BY key",
    )
  ).map((c) => ({ n: c.n, keys: [...c.keys].sort() }));

/** A promise and the function that settles it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** A transaction that takes its xid at once, then runs `then`: older than any transaction begun after this resolves. */
async function olderTransaction(db: HqDb, then: (sql: Sql) => Promise<void>): Promise<{ done: Promise<void> }> {
  const hasXid = gate();
  const done = db.tx(async (sql) => {
    await sql.query('SELECT pg_current_xact_id()');
    hasXid.open();
    await then(sql);
  });
  await Promise.race([hasXid.opened, done]);
  // In an object: an async function's result adopts a promise, and would wait for the transaction to end.
  return { done };
}

describe.each(backends)('HQ migration change-chunks on $name', (backend: TestBackend) => {
  let db: HqDb;
  let skus: string[];
  /** The store without stock, in the table and in the feed. */
  const emptyStore = (sql: Sql) =>
    sql.exec("DELETE FROM stock WHERE location_id = 'loc-S001'; DELETE FROM change WHERE scope = 'store:loc-S001' AND kind = 'stock'");
  beforeEach(async () => {
    if (db) await emptyStore(db);
  });
  beforeAll(async () => {
    ({ db } = await openEmptyHq(backend));
    await importSampleBrand(db, { skus: 12, customers: 4, stores: 1, now: NOW });
    skus = (await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku')).map((r) => r.sku);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('keeps every row of an HQ of the version before, and its feed reads as it did', async () => {
    const upgrade = await upgradeHq(backend, { from: chunks.version - 1 });
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      const [page] = await readFeeds(upgrade.db, [{ scope: 'store:loc-S001', cursor: '' }], 1000, true);
      const [count] = await upgrade.db.query<{ n: number }>("SELECT count(*)::int AS n FROM change WHERE scope = 'store:loc-S001'");
      expect(page).toMatchObject({ rows: count?.n, total: count?.n, more: false });
    } finally {
      await upgrade.close();
    }
  });

  it('loads rows as chunks, and a device reads them as the table holds them', async () => {
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, ['stock']);
      expect(loader.setBased).toBe(true);
      await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
    });
    expect(await chunkRows(db)).toEqual([{ n: skus.length, keys: [...skus].sort().map((s) => `loc-S001|${s}`) }]);
    expect(await deviceStock(db, 'loc-S001')).toEqual(await tableStock(db, 'loc-S001'));
    expect(CHUNK_ROWS).toBeGreaterThan(skus.length);
  });

  it("settles a chunk at commit against its own transaction's other writes of its rows: the older go, the newer stay", async () => {
    const [gone, back, changed] = skus as [string, string, string];
    await db.tx(async (sql) => {
      // Before the chunk, with the triggers: a row and its tombstone, another row.
      await sql.query(STOCK, ['loc-S001', NOW, [back]]);
      await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [back]);
      const loader = await openBulkLoader(sql, ['stock']);
      await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
      // After it, with the triggers: a chunked row changed, another deleted.
      await sql.query("UPDATE stock SET qty = 42 WHERE location_id = 'loc-S001' AND sku = $1", [changed]);
      await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [gone]);
    });
    const loose = await db.query<{ key: string; qty: number | null; deleted: boolean }>(
      "SELECT key, (row->>2)::int AS qty, deleted FROM change WHERE scope = 'store:loc-S001' AND kind = 'stock' AND keys IS NULL ORDER BY key",
    );
    // The tombstone of `back`, older than the chunk, is gone; the two later changes stand on their own.
    expect(loose).toEqual(
      [
        { key: `loc-S001|${changed}`, qty: 42, deleted: false },
        { key: `loc-S001|${gone}`, qty: null, deleted: true },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    const [chunk] = await chunkRows(db);
    expect(chunk?.keys).toHaveLength(skus.length - 2);
    expect(chunk?.keys).toContain(`loc-S001|${back}`);
    expect(chunk?.keys).not.toContain(`loc-S001|${changed}`);
    const device = await deviceStock(db, 'loc-S001');
    expect(device.get(`loc-S001|${gone}`)).toBeNull();
    device.delete(`loc-S001|${gone}`);
    expect(device).toEqual(await tableStock(db, 'loc-S001'));
  });

  it("deletes an earlier transaction's change rows of the rows it brings, so that no page holds a tombstone before the chunk", async () => {
    const [back, kept] = skus as [string, string];
    // Earlier: every row loaded and committed row by row, then one deleted (its tombstone).
    await db.tx((sql) => sql.query(STOCK, ['loc-S001', NOW, skus]));
    await db.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [back]);
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, ['stock']);
      await loader.insert('stock', STOCK, ['loc-S001', NOW, [back]]);
    });
    const loose = await db.query<{ key: string; deleted: boolean }>(
      "SELECT key, deleted FROM change WHERE scope = 'store:loc-S001' AND kind = 'stock' AND keys IS NULL ORDER BY key",
    );
    expect(loose.map((r) => r.key)).not.toContain(`loc-S001|${back}`);
    expect(loose.map((r) => r.key)).toContain(`loc-S001|${kept}`);
    expect((await chunkRows(db)).map((c) => c.keys)).toEqual([[`loc-S001|${back}`]]);
    // One page holds it all: the row is there.
    const device = await deviceStock(db, 'loc-S001');
    expect(device.get(`loc-S001|${back}`)).toBe(5);
    expect(device).toEqual(await tableStock(db, 'loc-S001'));
  });

  it('serves a row deleted after its chunk as deleted, whatever the page size', async () => {
    const [gone] = skus as [string];
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, ['stock']);
      await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
    });
    await db.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [gone]);
    for (const limit of [1, 7, 1000]) {
      const device = await deviceStock(db, 'loc-S001', limit);
      expect(device.get(`loc-S001|${gone}`)).toBeNull();
      device.delete(`loc-S001|${gone}`);
      expect(device).toEqual(await tableStock(db, 'loc-S001'));
    }
  });

  it('writes the rows of a statement that may update rows one by one: a key is in one chunk of a transaction at most', async () => {
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, ['stock']);
      await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO UPDATE SET qty = excluded.qty + 1`, ['loc-S001', NOW, skus]);
      await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO UPDATE SET qty = excluded.qty + 2`, ['loc-S001', NOW, skus]);
    });
    expect(await chunkRows(db)).toEqual([]);
    const device = await deviceStock(db, 'loc-S001');
    expect([...device.values()]).toEqual(skus.map(() => 7));
    expect(device).toEqual(await tableStock(db, 'loc-S001'));
  });

  it.runIf(backend.name === 'postgres')(
    'deletes the tombstone a younger transaction committed before the chunk brought its row back: the device has the row',
    async () => {
      const [back] = skus as [string];
      await db.tx((sql) => sql.query(STOCK, ['loc-S001', NOW, skus]));
      const deleted = gate();
      // The load took its xid first; the row is deleted (and committed) by a younger transaction, then the load brings it back.
      const older = await olderTransaction(db, async (sql) => {
        await deleted.opened;
        const loader = await openBulkLoader(sql, ['stock']);
        await loader.insert('stock', STOCK, ['loc-S001', NOW, [back]]);
      });
      try {
        await db.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [back]);
      } finally {
        deleted.open();
        await older.done;
      }
      expect((await chunkRows(db)).map((c) => c.keys)).toEqual([[`loc-S001|${back}`]]);
      // The tombstone is older than the chunk's row in time, though its xid sorts after the chunk.
      const device = await deviceStock(db, 'loc-S001');
      expect(device.get(`loc-S001|${back}`)).toBe(5);
      expect(device).toEqual(await tableStock(db, 'loc-S001'));
    },
  );

  it.runIf(backend.name === 'postgres')(
    'does not wait under REPEATABLE READ (its snapshot never moves on): its rows go one by one',
    async () => {
      const held = gate();
      const older = await olderTransaction(db, () => held.opened);
      try {
        await db.tx(async (sql) => {
          await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          const loader = await openBulkLoader(sql, ['stock']);
          await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
        });
      } finally {
        held.open();
        await older.done;
      }
      expect(await chunkRows(db)).toEqual([]);
      expect(await deviceStock(db, 'loc-S001')).toEqual(await tableStock(db, 'loc-S001'));
    },
    // A liveness bound, not a measure: the load must not wait for the older transaction, which waits for it.
    15_000,
  );

  it.runIf(backend.name === 'postgres')(
    'waits at commit for the transactions older than its own, so that every later change sorts after the chunk',
    async () => {
      const held = gate();
      let olderEnded = 0;
      const older = await olderTransaction(db, async () => {
        await held.opened;
        olderEnded = Date.now();
      });
      let committed = 0;
      const load = db
        .tx(async (sql) => {
          const loader = await openBulkLoader(sql, ['stock']);
          await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
        })
        .then(() => (committed = Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(committed).toBe(0);
      held.open();
      await Promise.all([older.done, load]);
      expect(committed).toBeGreaterThanOrEqual(olderEnded);
      // It stayed a chunk.
      expect((await chunkRows(db)).map((c) => c.n)).toEqual([skus.length]);
    },
  );

  it.runIf(backend.name === 'postgres')(
    'writes its rows one by one instead when an older transaction waits for it, and both finish',
    async () => {
      const [first] = skus as [string];
      const inserted = gate();
      // The older transaction writes a row the load has inserted and not committed: it waits for the load's lock.
      const older = await olderTransaction(db, async (sql) => {
        await inserted.opened;
        await sql.query(`${STOCK} ON CONFLICT (location_id, sku) DO UPDATE SET qty = 99`, ['loc-S001', NOW, [first]]);
      });
      const load = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        await loader.insert('stock', STOCK, ['loc-S001', NOW, skus]);
        inserted.open();
        // Long enough for the older transaction to queue for the lock.
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      await Promise.all([older.done, load]);
      expect(await chunkRows(db)).toEqual([]);
      const rows = await db.query<{ key: string; qty: number }>(
        "SELECT key, (row->>2)::int AS qty FROM change WHERE scope = 'store:loc-S001' AND kind = 'stock' ORDER BY key",
      );
      expect(rows).toHaveLength(skus.length);
      expect(rows.find((r) => r.key === `loc-S001|${first}`)?.qty).toBe(99);
      expect(await deviceStock(db, 'loc-S001')).toEqual(await tableStock(db, 'loc-S001'));
    },
    // A liveness bound, not a measure: the load must see the waiter, not fall back at its own 30 s limit.
    15_000,
  );
});
