import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HqDb } from './db.js';
import { compareCursors, CursorError, formatCursor, parseCursor, readFeeds } from './feed.js';
import type { FeedCursor, FeedPage } from './feed.js';
import { openEmptyHq, resetHq, testBackends } from './testing/backends.js';
import type { TestBackend } from './testing/backends.js';

/** One scope's page (`readFeeds` with a single scope), without the multi-scope fields. */
async function readFeed(sql: HqDb, scope: string, cursorText: string, limit: number, withTotal: boolean): Promise<FeedPage> {
  const [page] = await readFeeds(sql, [{ scope, cursor: cursorText }], limit, withTotal);
  if (!page) throw new Error('readFeeds answered no page');
  const { json, rows, cursor, more, total } = page;
  return total === undefined ? { json, rows, cursor, more } : { json, rows, cursor, more, total };
}

// The feed's reads on their own (sync/hq/routes/pull.test.ts tests them through the pull route,
// on HQ's own tables): change rows written straight into the log with chosen transaction ids,
// so every page boundary is known. PGlite only: the SQL is the same on PostgreSQL.

describe('a feed cursor', () => {
  it('reads back what HQ gave out, keys with colons and line breaks included', () => {
    for (const c of [
      { xid: '0', rank: 0, key: '' },
      { xid: '12', rank: 3, key: 'S1|SKU-1' },
      { xid: '7', rank: 999, key: 'a:b:\nc' },
      { xid: '18446744073709551615', rank: 12, key: 'k' },
    ]) {
      expect(parseCursor(formatCursor(c))).toEqual(c);
    }
    expect(formatCursor({ xid: '12', rank: 3, key: 'a:b' })).toBe('12:3:a:b');
    // A fresh device starts from the beginning.
    expect(parseCursor('')).toEqual({ xid: '0', rank: 0, key: '' });
  });

  it.each([
    'nonsense',
    '12:3',
    'x12:3:k',
    '12:1000:k',
    '12:x:k',
    '123456789012345678901:0:k',
    // 2^64: PostgreSQL 15 would take it as an xid8 and park the device past every change.
    '18446744073709551616:0:k',
  ])('is refused when HQ did not give it out: %j', (text) => {
    expect(() => parseCursor(text)).toThrow(CursorError);
    expect(() => parseCursor(text)).toThrow('the cursor is not one HQ gave out');
  });

  it('orders by transaction id as a number, then rank, then key', () => {
    const c = (xid: string, rank: number, key: string): FeedCursor => ({ xid, rank, key });
    const ordered = [c('9', 5, 'z'), c('10', 1, 'a'), c('10', 2, 'a'), c('10', 2, 'b'), c('100', 0, '')];
    for (const [i, a] of ordered.entries()) {
      for (const [j, b] of ordered.entries()) expect(compareCursors(a, b)).toBe(Math.sign(i - j));
    }
    expect(compareCursors(c('10', 2, 'b'), { ...c('10', 2, 'b') })).toBe(0);
  });
});

describe('feed pages on PGlite', () => {
  const { backends, stopBackends } = testBackends();
  let db: HqDb;
  beforeAll(async () => {
    db = (await openEmptyHq(backends.find((b) => b.name === 'pglite') as TestBackend)).db;
  });
  afterAll(async () => {
    await db.close();
    await stopBackends();
  });

  /** Change rows of `scope`: [xid, rank, kind, key, deleted]; the row is `[key]`. */
  async function changes(scope: string, rows: [number, number, string, string, boolean][]): Promise<void> {
    for (const [xid, rank, kind, key, deleted] of rows) {
      await db.query('INSERT INTO change (scope, kind, key, rank, xid, row, deleted) VALUES ($1, $2, $3, $4, $5::text::xid8, $6, $7)', [
        scope,
        kind,
        key,
        rank,
        String(xid),
        JSON.stringify([key]),
        deleted,
      ]);
    }
  }
  const horizon = async () => (await db.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x'))[0]?.x as string;

  beforeEach(async () => {
    await resetHq(db);
    // brand:T: three styles (the last one deleted) and a SKU, written by transactions 5, 6 and 7.
    await changes('brand:T', [
      [5, 2, 'style', 'a', false],
      [6, 2, 'style', 'b', false],
      [6, 3, 'sku', 's1', false],
      [7, 2, 'style', 'c', true],
    ]);
    await changes('brand:U', [
      [5, 2, 'style', 'u1', false],
      [8, 2, 'style', 'u2', false],
    ]);
  });

  it('pages through a scope: rows by transaction, kinds parents first, tombstones apart, then the horizon', async () => {
    const first = await readFeed(db, 'brand:T', '', 2, false);
    expect(first).toEqual({ json: '[{"kind":"style","rows":[["a"],["b"]],"deletes":[]}]', rows: 2, cursor: '6:2:b', more: true });
    const second = await readFeed(db, 'brand:T', first.cursor, 2, false);
    expect(second).toEqual({
      json: '[{"kind":"style","rows":[],"deletes":[["c"]]},{"kind":"sku","rows":[["s1"]],"deletes":[]}]',
      rows: 2,
      cursor: '7:2:c',
      more: true,
    });
    // Drained: nothing left below the horizon, and the cursor jumps to it — one past the scope's
    // newest change (7), well below the transaction the database would give out next.
    const third = await readFeed(db, 'brand:T', second.cursor, 2, false);
    expect(third).toEqual({ json: '[]', rows: 0, cursor: '8:0:', more: false });
    expect(BigInt(await horizon())).toBeGreaterThan(8n);
  });

  it('never hands out a horizon past the newest change of the scopes asked for (HORIZON)', async () => {
    // Transactions that take an id and write no change (a nonce, a barrier, an abort) move the
    // database's horizon on, and a standby may never have heard of them.
    for (let n = 0; n < 3; n++) await db.query('SELECT pg_current_xact_id()');
    const pages = await readFeeds(
      db,
      [
        { scope: 'brand:T', cursor: '' },
        { scope: 'brand:U', cursor: '' },
        { scope: 'brand:none', cursor: '' },
      ],
      100,
      false,
    );
    // brand:U's newest is 8: every drained scope jumps to 9, the empty one too.
    expect(pages.map((p) => [p.cursor, p.more])).toEqual([
      ['9:0:', false],
      ['9:0:', false],
      ['9:0:', false],
    ]);
    // A scope with no change at all: the lowest horizon, and nothing skipped when its first comes.
    const [empty] = await readFeeds(db, [{ scope: 'brand:none', cursor: '' }], 100, false);
    expect(empty?.cursor).toBe('1:0:');
    await changes('brand:none', [[3, 2, 'style', 'n1', false]]);
    const [first] = await readFeeds(db, [{ scope: 'brand:none', cursor: empty?.cursor ?? '' }], 100, false);
    expect(first).toMatchObject({ rows: 1, cursor: '4:0:' });
  });

  it('counts what is left of the scope when asked for totals', async () => {
    expect(await readFeed(db, 'brand:T', '', 2, true)).toMatchObject({ rows: 2, more: true, total: 4 });
    expect(await readFeed(db, 'brand:T', '6:2:b', 10, true)).toMatchObject({ rows: 2, more: false, total: 2 });
    const [page] = await readFeeds(db, [{ scope: 'brand:T', cursor: '' }], 2, false);
    expect(page).not.toHaveProperty('total');
  });

  it('a page that ends exactly at the last row says more; the next one is empty and drained', async () => {
    const full = await readFeed(db, 'brand:T', '', 4, false);
    expect(full).toMatchObject({ rows: 4, more: true, cursor: '7:2:c' });
    expect(await readFeed(db, 'brand:T', full.cursor, 4, false)).toMatchObject({ rows: 0, more: false, json: '[]' });
  });

  it('never moves a cursor back to the horizon', async () => {
    const ahead = `${BigInt(await horizon()) + 1000n}:0:`;
    expect(await readFeed(db, 'brand:T', ahead, 10, false)).toEqual({ json: '[]', rows: 0, cursor: ahead, more: false });
  });

  it('shares the budget: a later scope gets what the earlier ones left, and waits when nothing is left', async () => {
    const scopes = [
      { scope: 'brand:T', cursor: '' },
      { scope: 'brand:U', cursor: '' },
    ];
    const [t, u] = await readFeeds(db, scopes, 3, false);
    expect(t).toMatchObject({ served: true, rows: 3, more: true, cursor: '6:3:s1' });
    expect(u).toEqual({ scope: 'brand:U', served: false, heldBack: true, json: '[]', rows: 0, cursor: '', more: true });

    const [t2, u2] = await readFeeds(db, scopes, 5, true);
    expect(t2).toMatchObject({ served: true, rows: 4, more: false, total: 4 });
    expect(u2).toMatchObject({
      scope: 'brand:U',
      served: true,
      rows: 1,
      more: true,
      cursor: '5:2:u1',
      json: '[{"kind":"style","rows":[["u1"]],"deletes":[]}]',
      total: 2,
    });
    // Enough for both: both drained, at the same horizon.
    const both = await readFeeds(db, scopes, 100, false);
    expect(both.map((p) => [p.rows, p.more])).toEqual([
      [4, false],
      [2, false],
    ]);
    expect(both[0]?.cursor).toBe(both[1]?.cursor);
    // A poll is not counted: no scope gets a total.
    expect(both.filter((p) => 'total' in p)).toEqual([]);
  });

  describe('with chunks (HQ migration 0010: one change row holding many rows)', () => {
    /** A chunk of `keys` in `scope`, as the bulk loader writes one: each row is `[key]`. */
    async function chunk(scope: string, xid: number, rank: number, kind: string, at: string, keys: string[]): Promise<void> {
      await db.query(
        `INSERT INTO change (scope, kind, key, rank, xid, row, deleted, n, keys, rows)
         VALUES ($1, $2, chr(1) || $3, $4, $5::text::xid8, '[]', false, $6, $7, $8)`,
        [scope, kind, at, rank, String(xid), keys.length, keys, keys.map((k) => JSON.stringify([k])).join(',')],
      );
    }
    const rowsOf = (page: FeedPage | undefined) =>
      (JSON.parse(page?.json ?? '[]') as { rows: string[][]; deletes: string[][] }[]).flatMap((k) =>
        [...k.rows, ...k.deletes].map((r) => r[0]),
      );

    beforeEach(async () => {
      // brand:C: a style by transaction 5; chunks of two styles and of five SKUs by 6; a style and a SKU by 7.
      await changes('brand:C', [
        [5, 2, 'style', 'a', false],
        [7, 2, 'style', 'b', false],
        [7, 3, 'sku', 'z1', false],
      ]);
      await chunk('brand:C', 6, 2, 'style', '2', ['c1', 'c2']);
      await chunk('brand:C', 6, 3, 'sku', '1', ['s1', 's2', 's3', 's4', 's5']);
    });

    it('serves a chunk whole, past the budget if it must, and counts its rows', async () => {
      const first = await readFeed(db, 'brand:C', '', 2, true);
      // The style chunk starts within the budget: the page takes it whole (3 rows for a budget of 2).
      expect(first).toMatchObject({ rows: 3, more: true, cursor: '6:2:\u00012', total: 10 });
      expect(rowsOf(first)).toEqual(['a', 'c1', 'c2']);
      // A chunk bigger than the budget still comes, alone.
      const second = await readFeed(db, 'brand:C', first.cursor, 2, true);
      expect(second).toMatchObject({ rows: 5, more: true, cursor: '6:3:\u00011', total: 7 });
      expect(rowsOf(second)).toEqual(['s1', 's2', 's3', 's4', 's5']);
      const third = await readFeed(db, 'brand:C', second.cursor, 2, false);
      expect(third).toMatchObject({ rows: 2, more: true, cursor: '7:3:z1' });
      expect(rowsOf(third)).toEqual(['b', 'z1']);
      expect(await readFeed(db, 'brand:C', third.cursor, 2, false)).toMatchObject({ rows: 0, more: false });
      // One page with room for all: every row once, in the feed's order by kind.
      const all = await readFeed(db, 'brand:C', '', 100, false);
      expect(all).toMatchObject({ rows: 10, more: false });
      expect(JSON.parse(all.json).map((k: { kind: string; rows: string[][] }) => [k.kind, k.rows.map((r) => r[0])])).toEqual([
        ['style', ['a', 'c1', 'c2', 'b']],
        ['sku', ['s1', 's2', 's3', 's4', 's5', 'z1']],
      ]);
    });

    it('keeps the feed’s order inside a page: a chunked row changed later comes after the chunk', async () => {
      await db.query(
        `INSERT INTO change (scope, kind, key, rank, xid, row, deleted) VALUES ('brand:C', 'sku', 's3', 3, '8'::xid8, '["s3", "later"]', false)`,
      );
      const [page] = await readFeeds(db, [{ scope: 'brand:C', cursor: '6:2:\u00012' }], 100, false);
      const sku = (JSON.parse(page?.json ?? '[]') as { kind: string; rows: string[][] }[]).find((k) => k.kind === 'sku');
      // Whatever order PostgreSQL groups the kinds in, a device applying these in turn ends with the later s3.
      expect(sku?.rows).toEqual([['s1'], ['s2'], ['s3'], ['s4'], ['s5'], ['z1'], ['s3', 'later']]);
    });

    it('ends a page before a tombstone that follows a chunk (a device applies tombstones first), and the scopes after it wait', async () => {
      // The page does not ask whether the chunk holds the row: one written before HQ migration 0011
      // may (since, a tombstone takes its row out of the chunks of other transactions).
      await changes('brand:C', [[8, 3, 'sku', 's9', true]]);
      const scopes = [
        { scope: 'brand:C', cursor: '' },
        { scope: 'brand:U', cursor: '' },
      ];
      const [first, u] = await readFeeds(db, scopes, 100, false);
      expect(first).toMatchObject({ rows: 10, more: true, cursor: '7:3:z1' });
      expect(rowsOf(first)).not.toContain(undefined);
      expect(JSON.parse(first?.json ?? '[]').flatMap((k: { deletes: unknown[] }) => k.deletes)).toEqual([]);
      expect(u).toMatchObject({ served: false, cursor: '' });
      // The tombstone starts the next page: a device deletes the row after it has it.
      const [second] = await readFeeds(db, [{ ...scopes[0]!, cursor: first!.cursor }], 100, false);
      expect(second).toMatchObject({ rows: 1, more: false, json: '[{"kind":"sku","rows":[],"deletes":[["s9"]]}]' });
      // A tombstone before any chunk in the page stays in it.
      const [fromB] = await readFeeds(db, [{ scope: 'brand:C', cursor: '6:3:\u00011' }], 100, false);
      expect(fromB).toMatchObject({ rows: 3, more: false });
    });

    it('leaves a later scope what the chunks left of the budget, and nothing when they ran past it', async () => {
      const scopes = [
        { scope: 'brand:C', cursor: '6:2:\u00012' },
        { scope: 'brand:U', cursor: '' },
      ];
      // The SKU chunk (5) fills a budget of 4 and more: brand:U waits.
      const [c, u] = await readFeeds(db, scopes, 4, false);
      expect(c).toMatchObject({ served: true, rows: 5, more: true });
      expect(u).toMatchObject({ served: false, rows: 0, cursor: '' });
      // A budget of 8 leaves 1 after the chunk, b and z1 (7 rows): brand:U gets one row.
      const [c2, u2] = await readFeeds(db, scopes, 8, false);
      expect(c2).toMatchObject({ served: true, rows: 7, more: false });
      expect(u2).toMatchObject({ served: true, rows: 1, more: true, cursor: '5:2:u1' });
    });
  });

  it('leaves out the kinds the device does not know, and still moves its cursor past them', async () => {
    const [page] = await readFeeds(db, [{ scope: 'brand:T', cursor: '6:2:b' }], 2, false, new Set(['style']));
    expect(page).toMatchObject({ rows: 2, more: true, cursor: '7:2:c', json: '[{"kind":"style","rows":[],"deletes":[["c"]]}]' });
  });

  it('says a scope is held back while rows above the horizon wait for an older transaction', async () => {
    // A row written by a transaction above every snapshot's horizon: committed, not yet servable.
    await changes('brand:U', [[Number(BigInt(await horizon()) + 1_000_000n), 2, 'style', 'late', false]]);
    const [t, u] = await readFeeds(
      db,
      [
        { scope: 'brand:T', cursor: '' },
        { scope: 'brand:U', cursor: '' },
      ],
      100,
      false,
    );
    expect(t).toMatchObject({ rows: 4, more: false, heldBack: false });
    expect(u).toMatchObject({ rows: 2, more: false, heldBack: true });
    expect(u?.json).not.toContain('late');
  });

  it('counts a held-back row of the cursor’s own transaction only when it lies past the cursor', async () => {
    const late = String(BigInt(await horizon()) + 1_000_000n);
    await changes('brand:U', [[Number(late), 2, 'style', 'm', false]]);
    const heldBack = async (cursor: string) => (await readFeeds(db, [{ scope: 'brand:U', cursor }], 100, false))[0]?.heldBack;
    expect(await heldBack(`${late}:2:l`)).toBe(true);
    expect(await heldBack(`${late}:1:z`)).toBe(true);
    expect(await heldBack(`${late}:2:m`)).toBe(false);
    expect(await heldBack(`${late}:3:a`)).toBe(false);
    expect(await heldBack(`${BigInt(late) - 1n}:9:z`)).toBe(true);
  });

  it('finds the held-back rows from the horizon on, without walking the scope from the cursor', async () => {
    // 5,000 rows below the horizon: the part of the index from the cursor to the scope's end spans
    // dozens of pages, the part from the horizon on a root-to-leaf path.
    await db.query(
      `INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
       SELECT 'brand:T', 'sku', 'k' || lpad(g::text, 5, '0'), 3, '9'::xid8, '[]', false FROM generate_series(1, 5000) AS g`,
    );
    let statement = '';
    let params: readonly unknown[] = [];
    const capture: HqDb = Object.create(db) as HqDb;
    capture.query = async <R>(text: string, p?: readonly unknown[]) => {
      statement = text;
      params = p ?? [];
      return db.query<R>(text, p);
    };
    const [page] = await readFeeds(capture, [{ scope: 'brand:T', cursor: '' }], 10, false);
    expect(page).toMatchObject({ rows: 10, more: true, heldBack: false });
    type PlanNode = {
      'Index Cond'?: string;
      'Shared Hit Blocks': number;
      'Shared Read Blocks': number;
      Plans?: PlanNode[];
    };
    /** The index pages the check's scan read under `explain` (its node is the one bounded by the horizon). */
    const checkBlocks = async (explain: string, p: readonly unknown[]) => {
      const [explained] = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(explain, p);
      const nodes: PlanNode[] = [];
      const walk = (n: PlanNode) => {
        nodes.push(n);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(explained?.['QUERY PLAN'][0]?.Plan as PlanNode);
      const check = nodes.filter((n) => /xid >=/.test(n['Index Cond'] ?? ''));
      expect(check.length).toBe(1);
      return (check[0]?.['Shared Hit Blocks'] ?? 0) + (check[0]?.['Shared Read Blocks'] ?? 0);
    };
    // As a provisioning page is planned (for its own values), and as a poll is: one generic plan.
    expect(await checkBlocks(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`, params)).toBeLessThanOrEqual(4);
    const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
    await db.query(`PREPARE feed_probe AS ${statement}`);
    try {
      await db.query('SET plan_cache_mode = force_generic_plan');
      const generic = `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE feed_probe(${params.map(literal).join(', ')})`;
      expect(await checkBlocks(generic, [])).toBeLessThanOrEqual(4);
    } finally {
      await db.query('RESET plan_cache_mode');
      await db.query('DEALLOCATE feed_probe');
    }
  });

  it('refuses a cursor HQ did not give out, in any scope of the request', async () => {
    await expect(
      readFeeds(
        db,
        [
          { scope: 'brand:T', cursor: '' },
          { scope: 'brand:U', cursor: '1:2' },
        ],
        1,
        false,
      ),
    ).rejects.toThrow(CursorError);
  });
});
