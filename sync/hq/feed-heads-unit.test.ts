import { describe, expect, it } from 'vitest';
import type { ScopePage } from './feed.js';
import { createFeedHeads, pullIsAtHead } from './feed-heads.js';
import type { FeedHeads, FeedHeadsOptions } from './feed-heads.js';

/**
 * FeedHeads without a database: pages as readFeeds (sync/hq/feed.ts) builds them, notices and
 * barriers delivered by hand in the order a change listener would hear them. What the PGlite-only
 * mutation run cannot reach through feed-heads.test.ts (another writer, a lost listener) is here.
 */

const BRAND = 'brand:B';
const STORE = 'store:S1';
const DEVICE = 'device:D1';
const OTHER = 'customer:C';

/** A drained page: everything up to the horizon served, `rows` of them beyond the cursor asked for. */
const drained = (scope: string, rows: number, cursor: string): ScopePage => ({
  scope,
  served: true,
  heldBack: false,
  json: '[]',
  rows,
  cursor,
  more: false,
});

/** One feed read of these scopes from these cursors, answered with these pages. */
function read(heads: FeedHeads, requested: { scope: string; cursor: string }[], pages: ScopePage[]) {
  heads.record(heads.begin(), requested, pages);
}

/** A FeedHeads whose change listener is in place. */
function listeningHeads(options: FeedHeadsOptions = {}): FeedHeads {
  const heads = createFeedHeads(options);
  heads.listening();
  return heads;
}

/**
 * Barriers sent by a FeedHeads, held until the test lets the listener hear them (`echo`), so a
 * notice can be made to arrive before the barrier comes back.
 */
function barriers() {
  const sent: string[] = [];
  return {
    sent,
    send: async (payload: string) => void sent.push(payload),
    echo(heads: FeedHeads) {
      for (const payload of sent.splice(0)) heads.heard(payload);
    },
  };
}

describe('what FeedHeads learns from a feed read', () => {
  it('takes the cursor asked for as the head of a drained page without rows, and the page cursor of one with rows', () => {
    const heads = listeningHeads();
    // BRAND had nothing beyond 5:0: (its page jumped to the horizon 9:0:); STORE had 3 rows after 5:0:, up to 9:0:.
    read(
      heads,
      [
        { scope: BRAND, cursor: '5:0:' },
        { scope: STORE, cursor: '5:0:' },
      ],
      [drained(BRAND, 0, '9:0:'), drained(STORE, 3, '9:0:')],
    );
    expect([heads.isAtHead(BRAND, '4:9:z'), heads.isAtHead(BRAND, '5:0:'), heads.isAtHead(BRAND, '9:0:')]).toEqual([false, true, true]);
    expect([heads.isAtHead(STORE, '5:0:'), heads.isAtHead(STORE, '8:3:k'), heads.isAtHead(STORE, '9:0:')]).toEqual([false, false, true]);
    expect(heads.isAtHead(DEVICE, '9:0:')).toBe(false);
    expect(heads.stats()).toEqual({ known: 2, fromMemory: 0, reads: 1 });
  });

  it('answers from memory only a cursor past the head’s transaction or rank, or at its very position: a key inside its rank reads the feed', () => {
    const heads = listeningHeads();
    // STORE's page of rows ended at 7:2:m, the last row of transaction 7 (its rank 2).
    read(heads, [{ scope: STORE, cursor: '5:0:' }], [drained(STORE, 4, '7:2:m')]);
    const at = (cursors: string[]) => cursors.map((c) => heads.isAtHead(STORE, c));
    expect(at(['8:0:', '7:3:', '7:2:m'])).toEqual([true, true, true]);
    // Keys of one rank are ordered by PostgreSQL's collation, not JavaScript's: either side of `m` may be before it.
    expect(at(['6:9:z', '7:1:zzz', '7:2:a', '7:2:z'])).toEqual([false, false, false, false]);
  });

  it('keeps the earliest head learnt while no notice came: an empty scope is at its head from the start whatever the horizon did', () => {
    // A device at the horizon pulls first, then a new one from the start: both find nothing.
    const later = listeningHeads();
    read(later, [{ scope: BRAND, cursor: '9:0:' }], [drained(BRAND, 0, '12:0:')]);
    expect(later.isAtHead(BRAND, '')).toBe(false);
    read(later, [{ scope: BRAND, cursor: '' }], [drained(BRAND, 0, '12:0:')]);
    expect([later.isAtHead(BRAND, ''), later.isAtHead(BRAND, '9:0:')]).toEqual([true, true]);

    // The other way round: what the device at the horizon finds adds nothing to what is known.
    const earlier = listeningHeads();
    read(earlier, [{ scope: BRAND, cursor: '' }], [drained(BRAND, 0, '9:0:')]);
    read(earlier, [{ scope: BRAND, cursor: '9:0:' }], [drained(BRAND, 0, '12:0:')]);
    expect([earlier.isAtHead(BRAND, ''), earlier.isAtHead(BRAND, '9:0:')]).toEqual([true, true]);
    expect(earlier.stats()).toEqual({ known: 1, fromMemory: 0, reads: 2 });
  });

  it('learns nothing from a page that is not drained: a full page, rows held back by the horizon, or a scope the budget did not reach', () => {
    const heads = listeningHeads();
    const from = '5:0:';
    read(
      heads,
      [BRAND, STORE, DEVICE, OTHER].map((scope) => ({ scope, cursor: from })),
      [
        { ...drained(BRAND, 1000, '7:2:sku-9'), more: true },
        // Drained up to the horizon, but rows committed above an older transaction still running wait beyond it.
        { ...drained(STORE, 0, '9:0:'), heldBack: true },
        // What readFeeds answers for a scope behind one that used up the budget.
        { scope: DEVICE, served: false, heldBack: true, json: '[]', rows: 0, cursor: from, more: true },
        drained(OTHER, 0, '9:0:'),
      ],
    );
    expect([BRAND, STORE, DEVICE].flatMap((scope) => [heads.isAtHead(scope, from), heads.isAtHead(scope, '9:0:')])).toEqual(
      Array(6).fill(false),
    );
    // The drained page of the same read teaches its head.
    expect(heads.isAtHead(OTHER, from)).toBe(true);
    expect(heads.stats().known).toBe(1);
  });

  it('takes pages in the order of the requests: a page whose request names another scope, or with no request, teaches nothing', () => {
    const heads = listeningHeads();
    expect(() => read(heads, [{ scope: BRAND, cursor: '5:0:' }], [drained(STORE, 0, '9:0:'), drained(BRAND, 0, '9:0:')])).not.toThrow();
    expect([heads.isAtHead(STORE, '5:0:'), heads.isAtHead(BRAND, '5:0:'), heads.isAtHead(BRAND, '9:0:')]).toEqual([false, false, false]);
    expect(heads.stats().known).toBe(0);
  });
});

describe('notices and the change listener', () => {
  it('learns nothing from a read a notice of its scope overtook, however many notices came before it; other scopes’ notices do not matter', () => {
    const heads = listeningHeads();
    heads.changed(BRAND);
    heads.changed(STORE);
    const overtaken = heads.begin();
    heads.changed(BRAND);
    heads.record(overtaken, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);

    const next = heads.begin();
    heads.changed(STORE);
    heads.record(next, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(true);
    // A notice of the scope ends its head.
    heads.changed(BRAND);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
  });

  it('learns nothing from a read begun before the listener was lost, even once the listener is back', () => {
    const heads = listeningHeads();
    const before = heads.begin();
    heads.lost();
    heads.listening();
    heads.record(before, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
    // A read begun once it is back does.
    read(heads, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(true);
  });

  it('while the listener is lost: learns nothing and sends no barrier, until it is back', async () => {
    const b = barriers();
    const heads = listeningHeads({ sendBarrier: b.send });
    heads.lost();
    read(heads, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(false);
    expect(await heads.settled()).toBe(false);
    expect(b.sent).toEqual([]);

    heads.listening();
    read(heads, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(true);
    const settled = heads.settled();
    expect(b.sent).toHaveLength(1);
    b.echo(heads);
    expect(await settled).toBe(true);
  });

  it('hears barriers on a process that sends none (another HQ process’s) without failing, and still learns heads', async () => {
    const heads = listeningHeads();
    expect(() => heads.heard('~sync:another-process:0')).not.toThrow();
    read(heads, [{ scope: BRAND, cursor: '5:0:' }], [drained(BRAND, 0, '9:0:')]);
    expect(heads.isAtHead(BRAND, '5:0:')).toBe(true);
    expect(await heads.settled()).toBe(false);
  });
});

describe('pullIsAtHead', () => {
  const atHead = [
    { scope: BRAND, cursor: '5:0:' },
    { scope: STORE, cursor: '9:0:' },
  ];
  const learn = (heads: FeedHeads) => read(heads, atHead, [drained(BRAND, 0, '9:0:'), drained(STORE, 0, '12:0:')]);

  it('is true for a pull at every scope’s head once the barrier sent for it came back', async () => {
    const b = barriers();
    const heads = listeningHeads({ sendBarrier: b.send });
    learn(heads);
    const answer = pullIsAtHead(heads, atHead);
    expect(b.sent).toHaveLength(1);
    b.echo(heads);
    expect(await answer).toBe(true);
  });

  it('is false, with no barrier sent, when a scope is not at its head', async () => {
    const b = barriers();
    const heads = listeningHeads({ sendBarrier: b.send });
    learn(heads);
    expect(await pullIsAtHead(heads, [...atHead, { scope: DEVICE, cursor: '9:0:' }])).toBe(false);
    expect(await pullIsAtHead(heads, [{ scope: BRAND, cursor: '4:0:' }])).toBe(false);
    expect(b.sent).toEqual([]);
  });

  it('is false at the head when the barrier cannot be sent: the pull reads the feed', async () => {
    const heads = listeningHeads({
      sendBarrier: () => Promise.reject(new Error('connection terminated')),
    });
    learn(heads);
    expect(atHead.every((s) => heads.isAtHead(s.scope, s.cursor))).toBe(true);
    expect(await pullIsAtHead(heads, atHead)).toBe(false);
  });

  it('is false when a notice of one of its scopes is heard before the barrier comes back', async () => {
    const b = barriers();
    const heads = listeningHeads({ sendBarrier: b.send });
    learn(heads);
    const answer = pullIsAtHead(heads, atHead);
    // A commit that completed before the pull arrived: its notice comes before the barrier.
    heads.changed(STORE);
    b.echo(heads);
    expect(await answer).toBe(false);
  });
});
