import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES, ENTITY_KINDS, ENTITY_KINDS_V1 } from '../../protocol/entities.js';
import type { EntityKind } from '../../protocol/entities.js';
import { pullResponseSchema } from '../../protocol/feed.js';
import type { PullRequest, PullResponse } from '../../protocol/feed.js';
import type { HqDb } from '../db.js';
import { openEmptyHq, testBackends } from '../testing/backends.js';
import type { TestBackend } from '../testing/backends.js';
import { deviceOf, seedFixture, skuCode } from '../testing/push-fixture.js';
import { servePull } from './pull.js';
import { useSeededHq } from '../testing/use-test-hq.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');

async function pull(db: HqDb, request: PullRequest): Promise<PullResponse> {
  return pullResponseSchema.parse(JSON.parse(await servePull(db, S1, request, NOW)));
}

/** Pulls one scope to its end from `cursor`, `limit` rows a page; returns what a device would hold. */
async function drain(db: HqDb, scope: string, cursor: string, limit: number) {
  const rows = new Map<string, unknown[]>();
  const deletes = new Set<string>();
  let pages = 0;
  for (;;) {
    const response = await pull(db, { scopes: [{ scope, cursor }], limit });
    const page = response.pages[0]!;
    pages++;
    for (const set of page.sets) {
      for (const row of set.rows) rows.set(`${set.kind}:${String(row[0])}|${String(row[1])}`, row);
      for (const key of set.deletes) deletes.add(`${set.kind}:${key.join('|')}`);
    }
    cursor = page.cursor;
    if (!page.more) return { rows, deletes, cursor, pages };
  }
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('pull on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened), 25);

  it('serves the latest state only, deletes as tombstones, and resumes from its cursor', async () => {
    await db.query('UPDATE sku SET price_fen = 100 WHERE sku = $1', [skuCode(3)]);
    await db.query('UPDATE sku SET price_fen = 200 WHERE sku = $1', [skuCode(3)]);
    const brand = await drain(db, 'brand:B', '', 7);
    expect(brand.pages).toBeGreaterThan(3);
    // 2 locations + 1 style + 25 SKUs, each once, SKU 3 at its last price.
    expect(brand.rows.size).toBe(28);
    expect(brand.rows.get(`sku:${skuCode(3)}|ST`)?.[8]).toBe(200);

    await db.query('DELETE FROM stock WHERE sku = $1', [skuCode(5)]);
    await db.query('UPDATE stock SET qty = 7 WHERE sku = $1', [skuCode(6)]);
    const store = await drain(db, 'store:S1', '', 1000);
    expect(store.deletes).toEqual(new Set([`stock:S1|${skuCode(5)}`]));
    expect(store.rows.get(`stock:S1|${skuCode(6)}`)?.[2]).toBe(7);

    // From the cursor: only what changed since.
    await db.query('UPDATE sku SET active = false WHERE sku = $1', [skuCode(9)]);
    const next = await drain(db, 'brand:B', brand.cursor, 1000);
    expect([...next.rows.keys()]).toEqual([`sku:${skuCode(9)}|ST`]);
    const idle = await drain(db, 'brand:B', next.cursor, 1000);
    expect(idle.rows.size).toBe(0);
  });

  it('orders pages by transaction id as a number (xid 10 after xid 9), so a small page skips nothing', async () => {
    // Rows written straight into the change log with chosen ids: sorted as text, "10" < "9".
    await db.query(
      `INSERT INTO change (scope, kind, key, rank, xid, row, deleted) VALUES
         ('brand:Z', 'style', 'a', 2, '10'::xid8, '["a"]', false), ('brand:Z', 'style', 'b', 2, '9'::xid8, '["b"]', false), ('brand:Z', 'style', 'c', 2, '100'::xid8, '["c"]', false)`,
    );
    const zDevice = { ...S1, scopes: ['brand:Z'] };
    const seen: unknown[] = [];
    let cursor = '';
    for (let more = true; more;) {
      const page = pullResponseSchema.parse(
        JSON.parse(await servePull(db, zDevice, { scopes: [{ scope: 'brand:Z', cursor }], limit: 1 }, NOW)),
      ).pages[0]!;
      seen.push(...page.sets.flatMap((set) => set.rows.map((r) => r[0])));
      cursor = page.cursor;
      more = page.more;
    }
    expect(seen).toEqual(['b', 'a', 'c']);
  });

  it('shares the row budget across scopes in order and counts what is left', async () => {
    const response = await pull(db, {
      scopes: [
        { scope: 'brand:B', cursor: '' },
        { scope: 'store:S1', cursor: '' },
        { scope: `device:${S1.id}`, cursor: '' },
      ],
      limit: 30,
      withTotal: true,
    });
    const [brand, store, device] = response.pages;
    expect(brand).toMatchObject({ more: false, total: 28 });
    expect(store).toMatchObject({ more: true, total: 28 });
    expect(store?.sets.flatMap((s) => s.rows)).toHaveLength(2);
    // Out of budget: the cursor comes back unchanged, and the device asks again.
    expect(device).toEqual({ scope: `device:${S1.id}`, cursor: '', more: true, sets: [] });
  });

  it('answers a pull of every scope with one statement, all drained scopes at the same horizon', async () => {
    // Pages are one statement; what is left of each scope for the progress bar is counted apart.
    let statements = 0;
    let counts = 0;
    const counting: HqDb = {
      ...db,
      query: (text, params, options) => (options?.name === 'feed_left' ? counts++ : statements++, db.query(text, params, options)),
    };
    const scopes = [
      { scope: 'brand:B', cursor: '' },
      { scope: 'store:S1', cursor: '' },
      { scope: `device:${S1.id}`, cursor: '' },
    ];
    const response = pullResponseSchema.parse(JSON.parse(await servePull(counting, S1, { scopes, limit: 1000, withTotal: true }, NOW)));
    expect(statements).toBe(1);
    expect(counts).toBe(3);
    expect(response.pages.map((p) => p.more)).toEqual([false, false, false]);
    expect(response.pages.map((p) => p.total)).toEqual([28, 28, 1]);
    // One snapshot: every drained scope jumps to the same horizon.
    expect(new Set(response.pages.map((p) => p.cursor)).size).toBe(1);
    // At the head: nothing new, still one statement, cursors unchanged.
    const again = pullResponseSchema.parse(
      JSON.parse(
        await servePull(counting, S1, { scopes: response.pages.map((p) => ({ scope: p.scope, cursor: p.cursor })), limit: 1000 }, NOW),
      ),
    );
    expect([statements, counts]).toEqual([2, 3]);
    expect(again.pages.map((p) => [p.cursor, p.more, p.sets.length])).toEqual(response.pages.map((p) => [p.cursor, false, 0]));
  });

  it('serves a later scope only once the earlier ones are drained (a page that fills the budget exactly stops there)', async () => {
    // brand:B holds exactly 28 rows: the budget is used up, so the brand page says `more` and store waits.
    const first = await pull(db, {
      scopes: [
        { scope: 'brand:B', cursor: '' },
        { scope: 'store:S1', cursor: '' },
      ],
      limit: 28,
    });
    expect(first.pages[0]).toMatchObject({ more: true });
    expect(first.pages[0]?.sets.flatMap((s) => s.rows)).toHaveLength(28);
    expect(first.pages[1]).toEqual({ scope: 'store:S1', cursor: '', more: true, sets: [] });
    // Next: brand turns out drained (nothing left) and store gets the whole budget.
    const second = await pull(db, {
      scopes: [
        { scope: 'brand:B', cursor: first.pages[0]!.cursor },
        { scope: 'store:S1', cursor: '' },
      ],
      limit: 29,
      kinds: [...ENTITY_KINDS],
    });
    expect(second.pages[0]).toMatchObject({ more: false, sets: [] });
    expect(second.pages[1]).toMatchObject({ more: false });
    expect(second.pages[1]?.sets.flatMap((s) => s.rows)).toHaveLength(28);
    // A page carries kinds parents first (rank order).
    const ranks = (second.pages[1]?.sets ?? []).map((s) => ENTITIES[s.kind as EntityKind].rank);
    expect(ranks.length).toBeGreaterThan(1);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('sends a device only the kinds it knows: one of the first version gets no store policy, and its cursor still moves past it', async () => {
    const old = await pull(db, { scopes: [{ scope: 'store:S1', cursor: '' }], limit: 1000 });
    const now = await pull(db, { scopes: [{ scope: 'store:S1', cursor: '' }], limit: 1000, kinds: [...ENTITY_KINDS] });
    const kindsOf = (r: PullResponse) => r.pages[0]!.sets.map((s) => s.kind);
    expect(kindsOf(now)).toContain('store_policy');
    expect(kindsOf(old)).not.toContain('store_policy');
    expect(kindsOf(old).every((k) => ENTITY_KINDS_V1.includes(k as EntityKind))).toBe(true);
    expect(old.pages[0]).toMatchObject({ more: false, cursor: now.pages[0]!.cursor });
  });

  it('refuses a cursor HQ did not give out in any scope of the request, even one the budget would not reach', async () => {
    const request = {
      scopes: [
        { scope: 'brand:B', cursor: '' },
        { scope: 'store:S1', cursor: '1:2' },
      ],
      limit: 1,
    };
    await expect(servePull(db, S1, request, NOW)).rejects.toMatchObject({ status: 400, code: 'bad_request' });
  });

  it("refuses another store's scope and a cursor HQ did not give out", async () => {
    await expect(servePull(db, S1, { scopes: [{ scope: 'store:S2', cursor: '' }], limit: 10 }, NOW)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    await expect(servePull(db, S1, { scopes: [{ scope: 'brand:B', cursor: 'nonsense' }], limit: 10 }, NOW)).rejects.toMatchObject({
      status: 400,
      code: 'bad_request',
    });
  });

  it('refuses a cursor whose key holds a NUL character as one HQ did not give out, not as an HQ failure', async () => {
    // PostgreSQL text cannot hold U+0000: no change key has one, so no cursor HQ gave out does.
    await expect(servePull(db, S1, { scopes: [{ scope: 'brand:B', cursor: '5:0:a\u0000b' }], limit: 10 }, NOW)).rejects.toMatchObject({
      status: 400,
      code: 'bad_request',
    });
  });
});

describe('the feed on PostgreSQL with writers that commit late', () => {
  let db: HqDb;
  let url: string;
  beforeAll(async () => {
    const opened = await openEmptyHq(backends.find((b) => b.name === 'postgres') as TestBackend);
    db = opened.db;
    url = opened.url!;
    await seedFixture(db, 1);
  });
  afterAll(async () => db.close());

  /** Customers of store S1, each written by its own transaction, committed in a shuffled order. */
  it('never skips a row that a concurrent transaction committed after a later one (a naive sequence feed does)', async () => {
    const writers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        return client;
      }),
    );
    const committed = new Set<string>();
    let sound = { cursor: '', seen: new Set<string>() };
    let naive = { xid: '0', seen: new Set<string>() };
    const readBoth = async () => {
      const got = await drain(db, 'store:S1', sound.cursor, 3);
      sound = { cursor: got.cursor, seen: new Set([...sound.seen, ...[...got.rows.keys()].filter((k) => k.startsWith('customer:'))]) };
      // The trap: "everything after the highest id I saw", ids taken inside the writing transactions.
      const rows = await db.query<{ key: string; xid: string }>(
        "SELECT key, xid::text AS xid FROM change WHERE scope = 'store:S1' AND kind = 'customer' AND xid > $1::xid8 ORDER BY xid",
        [naive.xid],
      );
      naive = { xid: rows.at(-1)?.xid ?? naive.xid, seen: new Set([...naive.seen, ...rows.map((r) => `customer:${r.key}|S1`)]) };
    };
    try {
      // Each writer takes its transaction id (first write) in order 0..7 and holds it open.
      for (const [i, client] of writers.entries()) {
        await client.query('BEGIN');
        await client.query(`INSERT INTO customer VALUES ($1, 'S1', 'C', '138', 'blue', 0, NULL, now())`, [`c-${i}`]);
        // A second write to show a multi-statement transaction is served whole.
        await client.query(`INSERT INTO customer VALUES ($1, 'S1', 'C', '138', 'blue', 0, NULL, now())`, [`c-${i}b`]);
      }
      await readBoth();
      // Commit out of order, reading after every commit; one writer rolls back.
      for (const i of [5, 7, 1, 6, 0, 3, 4, 2]) {
        const client = writers[i]!;
        if (i === 4) {
          await client.query('ROLLBACK');
        } else {
          await client.query('COMMIT');
          committed.add(`customer:c-${i}|S1`).add(`customer:c-${i}b|S1`);
        }
        await readBoth();
      }
    } finally {
      await Promise.all(writers.map((c) => c.end()));
    }
    await readBoth();
    expect(sound.seen).toEqual(committed);
    expect(committed.size).toBe(14);
    // The same pulls with a sequence cursor lose the rows of transactions that committed late.
    const missed = [...committed].filter((k) => !naive.seen.has(k));
    expect(missed.length).toBeGreaterThan(0);
  });
});
