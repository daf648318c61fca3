import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTITY_KINDS } from '../protocol/entities.js';
import { pullResponseSchema } from '../protocol/feed.js';
import type { PullResponse } from '../protocol/feed.js';
import type { LiveHub } from './context.js';
import { openHqDb } from './db.js';
import type { HqDb } from './db.js';
import { notifyBarrier } from './feed-barrier.js';
import { createFeedHeads } from './feed-heads.js';
import type { FeedHeads } from './feed-heads.js';
import { CHANGE_CHANNEL, listenForNotices } from './notice-listeners.js';
import { servePull } from './routes/pull.js';
import { openEmptyHq, resetHq, testBackends } from './testing/backends.js';
import type { TestBackend } from './testing/backends.js';
import { deviceOf, seedFixture, skuCode } from './testing/push-fixture.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');
const BRAND = 'brand:B';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const quietHub: LiveHub = {
  changed: () => undefined,
  revoked: () => undefined,
  nudgeAll: () => undefined,
  devices: () => [],
  connections: () => 0,
  close: async () => undefined,
};

/**
 * One HQ process's pull path over a real database: its FeedHeads fed by the real change listener,
 * and a count of the statements its pulls send to the database.
 */
async function hqProcess(backend: TestBackend) {
  const { db, url } = await openEmptyHq(backend);
  await resetHq(db);
  await seedFixture(db, 25);
  const heard: string[] = [];
  const send = notifyBarrier(db, CHANGE_CHANNEL);
  let barriers = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const feedHeads = createFeedHeads({
    onChanged: (scope) => {
      heard.push(scope);
      wake();
    },
    sendBarrier: (payload) => {
      barriers++;
      return send(payload);
    },
  });
  const restored: string[] = [];
  const stop = await listenForNotices({
    db,
    live: quietHub,
    log: () => undefined,
    auth: { forget: () => undefined, forgetAll: () => undefined, enrolled: () => undefined },
    feedHeads,
    onRestored: (channel) => {
      restored.push(channel);
      wake();
    },
  });
  let statements = 0;
  const counting: HqDb = { ...db, query: (text, params, options) => (statements++, db.query(text, params, options)) };
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (test() ? resolve() : waiters.push(check));
      check();
    });
  return {
    db,
    url,
    feedHeads,
    statements: () => statements,
    barriers: () => barriers,
    /** Resolves once this process has heard a notice of `scope` (counted from now). */
    notice(scope: string): Promise<void> {
      const from = heard.length;
      return until(() => heard.slice(from).includes(scope));
    },
    restoredOnce: (channel: string) => until(() => restored.includes(channel)),
    pull: async (cursors: Record<string, string>): Promise<PullResponse> =>
      pullResponseSchema.parse(
        JSON.parse(
          await servePull(
            counting,
            S1,
            { scopes: Object.entries(cursors).map(([scope, cursor]) => ({ scope, cursor })), limit: 1000 },
            NOW,
            feedHeads,
          ),
        ),
      ),
    async close() {
      await stop();
      await db.close();
    },
  };
}

type Hq = Awaited<ReturnType<typeof hqProcess>>;
const cursorsOf = (r: PullResponse) => Object.fromEntries(r.pages.map((p) => [p.scope, p.cursor]));
const skuPrices = (r: PullResponse) =>
  new Map(r.pages.flatMap((p) => p.sets.filter((s) => s.kind === 'sku').flatMap((s) => s.rows.map((row) => [row[0], row[8]]))));
const rowCount = (r: PullResponse) => r.pages.reduce((n, p) => n + p.sets.reduce((m, s) => m + s.rows.length + s.deletes.length, 0), 0);

describe('FeedHeads on its own', () => {
  const drained = { scope: BRAND, served: true, heldBack: false, json: '[]', rows: 0, cursor: '9:0:', more: false };

  it('learns nothing from a read that a notice of its scope overtook, nor before the listener is in place', () => {
    const heads: FeedHeads = createFeedHeads();
    heads.record(heads.begin(), [{ scope: BRAND, cursor: '5:0:' }], [drained]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
    heads.listening();
    const read = heads.begin();
    heads.changed(BRAND);
    heads.record(read, [{ scope: BRAND, cursor: '5:0:' }], [drained]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
    heads.record(heads.begin(), [{ scope: BRAND, cursor: '5:0:' }], [drained]);
    expect([heads.isAtHead(BRAND, '5:0:'), heads.isAtHead(BRAND, '4:0:'), heads.isAtHead(BRAND, 'nonsense')]).toEqual([true, false, false]);
    heads.lost();
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
  });

  it('answers from memory only once a barrier sent after the pull came back through the listener', async () => {
    const sent: string[] = [];
    const heads = createFeedHeads({ sendBarrier: async (payload) => void sent.push(payload), barrierTimeoutMs: 60_000 });
    heads.listening();
    const first = heads.settled();
    // Arrives while the first barrier is out: it waits for one sent after it.
    const second = heads.settled();
    expect(sent).toHaveLength(1);
    heads.heard(sent[0] ?? '');
    expect(await first).toBe(true);
    expect(sent).toHaveLength(2);
    heads.heard('~sync:another-process:0');
    heads.lost();
    expect(await second).toBe(false);
  });

  it('does not answer from memory when its barrier is never heard (a deaf listener) or without a way to send one', async () => {
    const deaf = createFeedHeads({ sendBarrier: async () => undefined, barrierTimeoutMs: 10 });
    deaf.listening();
    expect(await deaf.settled()).toBe(false);
    const mute = createFeedHeads();
    mute.listening();
    expect(await mute.settled()).toBe(false);
  });
});

describe.each(backends)('pulls at the head on $name', (backend) => {
  let hq: Hq;
  beforeEach(async () => {
    hq = await hqProcess(backend);
  });
  afterEach(async () => hq.close());

  it('answers a pull at the head without a query, and the next pull after a change with the change', async () => {
    const first = await hq.pull({ [BRAND]: '', 'store:S1': '', [`device:${S1.id}`]: '' });
    expect(rowCount(first)).toBeGreaterThan(50);
    expect(hq.statements()).toBe(1);

    const idle = await hq.pull(cursorsOf(first));
    expect(hq.statements()).toBe(1);
    expect(hq.barriers()).toBe(1);
    expect(hq.feedHeads.stats()).toEqual({ known: 3, fromMemory: 1, reads: 1 });
    expect(idle.pages.map((p) => [p.cursor, p.more, p.sets])).toEqual(first.pages.map((p) => [p.cursor, false, []]));

    // Pulled as soon as the commit returned: the barrier makes sure its notice was heard first.
    await hq.db.query('UPDATE sku SET price_fen = 100 WHERE sku = $1', [skuCode(3)]);
    const changed = await hq.pull(cursorsOf(first));
    expect(hq.statements()).toBe(2);
    expect(skuPrices(changed)).toEqual(new Map([[skuCode(3), 100]]));

    // Back at the head from the cursor of that answer.
    await hq.pull(cursorsOf(changed));
    expect(hq.statements()).toBe(2);
  });
});

describe.each(backends)('a staff member moved to another store, at the head on $name', (backend) => {
  let hq: Hq;
  beforeEach(async () => {
    hq = await hqProcess(backend);
  });
  afterEach(async () => hq.close());

  it("takes them off the old store's devices at its next pull, though its head was known", async () => {
    const first = await hq.pull({ [BRAND]: '', 'store:S1': '', [`device:${S1.id}`]: '' });
    const staffOf = (r: PullResponse) =>
      r.pages.filter((p) => p.scope === 'store:S1').flatMap((p) => p.sets.filter((s) => s.kind === 'staff'));
    expect(staffOf(first).flatMap((s) => s.rows.map((row) => row[0]))).toContain('st-1');
    await hq.pull(cursorsOf(first));
    expect(hq.feedHeads.stats().fromMemory).toBe(1);

    // IT moves the cashier to S2 (POST /admin/v1/staff with another store): S1's devices must drop them and their PIN.
    await hq.db.query("UPDATE staff SET store_id = 'S2' WHERE id = 'st-1'");
    const next = await hq.pull(cursorsOf(first));
    expect(staffOf(next).flatMap((s) => s.deletes)).toEqual([['st-1']]);
  });
});

describe.each(backends)("pulls at the head inside one transaction's rows on $name", (backend) => {
  let hq: Hq;
  beforeEach(async () => {
    hq = await hqProcess(backend);
  });
  afterEach(async () => hq.close());

  it("never answers from memory a cursor that stops before a row the head was learnt behind, whatever the keys' characters", async () => {
    // Two tags of one customer, written by one transaction: the same xid and rank, told apart by key
    // alone. PostgreSQL orders them by code point ('Ｖ' U+FF36 first); JavaScript's string order by
    // UTF-16 unit puts the emoji's surrogates (U+D83D …) first. A cluster's locale collation differs more.
    await hq.db.query(
      `INSERT INTO change (scope, kind, key, rank, xid, row, deleted) VALUES
         ('store:S1', 'customer_tag', 'c-1|ＶＩＰ', 16, pg_current_xact_id(), '["c-1", "ＶＩＰ"]', false),
         ('store:S1', 'customer_tag', 'c-1|💎', 16, pg_current_xact_id(), '["c-1", "💎"]', false)`,
    );
    const keys = (await hq.db.query<{ key: string }>("SELECT key FROM change WHERE kind = 'customer_tag' ORDER BY xid, rank, key")).map(
      (r) => r.key,
    );
    expect(keys).toEqual(['c-1|ＶＩＰ', 'c-1|💎']);
    const pullStore = async (cursor: string, limit: number) =>
      pullResponseSchema.parse(
        JSON.parse(
          await servePull(hq.db, S1, { scopes: [{ scope: 'store:S1', cursor }], limit, kinds: [...ENTITY_KINDS] }, NOW, hq.feedHeads),
        ),
      ).pages[0]!;
    const tags = (page: PullResponse['pages'][number]) =>
      page.sets.filter((set) => set.kind === 'customer_tag').flatMap((set) => set.rows.map((row) => row[1]));
    const [store] = await hq.db.query<{ n: number }>("SELECT sum(n)::int AS n FROM change WHERE scope = 'store:S1'");
    const rows = store?.n ?? 0;

    // One device's page ends at the last tag exactly; its next pull finds nothing: the head is learnt there.
    const full = await pullStore('', rows);
    expect([tags(full), full.more]).toEqual([['ＶＩＰ', '💎'], true]);
    expect(tags(await pullStore(full.cursor, 10))).toEqual([]);
    expect(hq.feedHeads.isAtHead('store:S1', full.cursor)).toBe(true);

    // Another device's page ends between the two tags: the second is still to come.
    const partial = await pullStore('', rows - 1);
    expect([tags(partial), partial.more]).toEqual([['ＶＩＰ'], true]);
    expect(tags(await pullStore(partial.cursor, 10))).toEqual(['💎']);
  });
});

describe.each(backends.filter((b) => b.name === 'postgres'))('pulls at the head with other writers on $name', (backend) => {
  let hq: Hq;
  let head: Record<string, string>;
  beforeEach(async () => {
    hq = await hqProcess(backend);
    head = cursorsOf(await hq.pull({ [BRAND]: '' }));
    await hq.pull(head);
    expect(hq.statements()).toBe(1);
  });
  afterEach(async () => hq.close());

  it('sees a change committed by another HQ process (its own pool on the same database) at the next pull', async () => {
    const other = await openHqDb({ databaseUrl: hq.url, poolSize: 2 });
    try {
      // Pulled as soon as the commit returned, before this process may have heard its notice.
      await other.query('UPDATE sku SET price_fen = 300 WHERE sku = $1', [skuCode(5)]);
      expect(skuPrices(await hq.pull(head))).toEqual(new Map([[skuCode(5), 300]]));
    } finally {
      await other.close();
    }
  });

  it('serves a transaction that commits late, after a pull at the head answered while it was running', async () => {
    const late = new pg.Client({ connectionString: hq.url });
    await late.connect();
    try {
      await late.query('BEGIN');
      await late.query('UPDATE sku SET price_fen = 400 WHERE sku = $1', [skuCode(7)]);
      // Not committed: nothing new, whether answered from memory or not.
      expect(rowCount(await hq.pull(head))).toBe(0);
      await late.query('COMMIT');
      expect(skuPrices(await hq.pull(head))).toEqual(new Map([[skuCode(7), 400]]));
    } finally {
      await late.end();
    }
  });

  it('keeps reading a scope whose committed rows the horizon holds back, until the older transaction ends without a notice', async () => {
    const older = new pg.Client({ connectionString: hq.url });
    await older.connect();
    try {
      // A transaction with an id, still running: every later transaction's changes wait behind it.
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      const heard = hq.notice(BRAND);
      await hq.db.query('UPDATE sku SET price_fen = 500 WHERE sku = $1', [skuCode(9)]);
      await heard;
      // The change is committed but held back: not served yet, and the scope is not at its head.
      expect(rowCount(await hq.pull(head))).toBe(0);
      const before = hq.statements();
      expect(rowCount(await hq.pull(head))).toBe(0);
      expect(hq.statements()).toBe(before + 1);
      // The older transaction ends with no change of its own, so no notice: the next pull must still find the row.
      await older.query('ROLLBACK');
      expect(skuPrices(await hq.pull(head))).toEqual(new Map([[skuCode(9), 500]]));
    } finally {
      await older.end();
    }
  });

  it('forgets every head when the change listener loses PostgreSQL, and sees what changed meanwhile once it is back', async () => {
    const admin = new pg.Client({ connectionString: hq.url });
    await admin.connect();
    try {
      const restored = hq.restoredOnce(CHANGE_CHANNEL);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [
        `LISTEN "${CHANGE_CHANNEL}"`,
      ]);
      // Committed while no listener of this process can hear it.
      await admin.query('UPDATE sku SET price_fen = 600 WHERE sku = $1', [skuCode(11)]);
      await restored;
      expect(skuPrices(await hq.pull(head))).toEqual(new Map([[skuCode(11), 600]]));
    } finally {
      await admin.end();
    }
  });
});
