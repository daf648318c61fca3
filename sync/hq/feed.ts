import type { Sql } from './db.js';

/** A position in a scope's feed: everything up to (xid, rank, key) has been applied. */
export type FeedCursor = { xid: string; rank: number; key: string };

export class CursorError extends Error {}

const CURSOR = /^(\d{1,20}):(\d{1,3}):(.*)$/s;

export function parseCursor(text: string): FeedCursor {
  if (text === '') return { xid: '0', rank: 0, key: '' };
  const m = CURSOR.exec(text);
  if (!m) throw new CursorError('the cursor is not one HQ gave out');
  // PostgreSQL 15 takes an xid8 above 2^64-1 without complaint (PGlite's newer one refuses it):
  // such a cursor would be answered 200 and park the device past every change for good.
  if (BigInt(m[1] as string) > 0xffff_ffff_ffff_ffffn) throw new CursorError('the cursor is not one HQ gave out');
  // PostgreSQL text cannot hold U+0000, so no change key has one: such a key failed the feed's
  // statement, and the device was answered 500 (an HQ failure, logged as one) instead of 400.
  if ((m[3] as string).includes('\u0000')) throw new CursorError('the cursor is not one HQ gave out');
  return { xid: m[1] as string, rank: Number(m[2]), key: m[3] as string };
}

export function formatCursor(c: FeedCursor): string {
  return `${c.xid}:${c.rank}:${c.key}`;
}

/**
 * One page of a scope's feed, already serialised: the rows are stored as JSON text and go out
 * as they are (no parse and re-stringify of 200,000 rows). Only changes of transactions below
 * the horizon — the oldest transaction still running — are served, and the horizon becomes the
 * cursor once the feed is drained: a transaction that took its id earlier but commits later is
 * still ahead of every cursor handed out, so it is never skipped.
 */
export type FeedPage = { json: string; rows: number; cursor: string; more: boolean; total?: number };

/** One scope's request: where the device stands in it. */
export type FeedRequest = { scope: string; cursor: string };

/**
 * A scope's page in a multi-scope answer. `served: false` — the shared row budget ran out before
 * this scope: it was not read, its cursor comes back unchanged and the device asks again.
 */
export type ScopePage = FeedPage & {
  scope: string;
  served: boolean;
  /**
   * The scope has rows beyond the page that the horizon holds back: committed by a transaction
   * that started after one still running. Such rows come without a new NOTIFY once the older
   * transaction ends, so a scope with them is not at its head even when its page is empty.
   */
  heldBack: boolean;
};

/**
 * HORIZON: a drained scope's cursor jumps to the horizon, and says "every change below this
 * transaction id is yours". Below the oldest transaction still running, so a late commit is never
 * skipped; and no further than one past the newest change the scopes asked for have, so that a
 * cursor never passes a transaction id the synchronous standby has not heard of. Without that cap
 * the horizon was the primary's next id whenever nothing ran, and ids go by that no standby waits
 * for — a commit with synchronous_commit off (request nonces, auth.ts; the feed barrier's NOTIFY)
 * or an abort. A standby promoted after the primary is lost hands those ids out again, and the
 * first changes written after the switch would sort below the devices' cursors: skipped. A change
 * is visible only once its commit was acknowledged by the synchronous standby (PostgreSQL waits
 * for the standby before it ends the transaction for other sessions), so the newest visible change's
 * id is one the promoted standby has passed. sync/faults/failover-xids.test.ts holds that window
 * open and shows the change after the switch skipped without the cap (README, "The feed across
 * the switch").
 */

/** The SQL reading `n` scopes in one statement, built once per shape (a request has at most 8 scopes). */
const statements = new Map<number, string>();

/**
 * Parameters: $1 the row budget, then per scope i (0-based) $(2+4i) scope, $(3+4i) cursor xid,
 * $(4+4i) rank, $(5+4i) key.
 *
 * One statement means one snapshot: the horizon and every scope's rows are read together, which
 * is what a page needs (a separate horizon read was only safe because the horizon can only move
 * forward). Scope i may read only what the scopes before it left of the budget (b<i>, an
 * init-plan): b<i+1> counts scope i's rows up to b<i> on the change_feed index, so a scope behind
 * one that fills the page reads nothing (provisioning asks for all scopes at once; a LATERAL with
 * a per-scope LIMIT of the whole budget would read and drop a page of the store scope on every
 * brand page). The page's rows themselves stream into the aggregate, never materialised: a
 * 50,000-row page kept in a CTE spills to a temp file and took ~1.6× as long (measured).
 * Kept small on purpose: at the feed's head PostgreSQL spends more time planning this than
 * running it. What is left of a scope, for a progress bar, is a statement of its own (LEFT).
 */
function feedStatement(n: number): string {
  const cached = statements.get(n);
  if (cached) return cached;
  // The horizon (HORIZON above): the oldest transaction still running, but never past the newest
  // change these scopes have. Each scope's newest is one backward probe of the change_feed index.
  const newest = Array.from(
    { length: n },
    (_, i) => `(SELECT c.xid FROM change AS c WHERE c.scope = $${2 + 4 * i} ORDER BY c.xid DESC LIMIT 1)`,
  );
  const ctes = [
    `h AS MATERIALIZED (SELECT least(pg_snapshot_xmin(pg_current_snapshot()), coalesce((greatest(${newest.join(', ')})::text::numeric + 1)::text::xid8, '1'::xid8)) AS x)`,
    'b0 AS MATERIALIZED (SELECT $1::int AS b)',
  ];
  const parts = [
    `SELECT -1 AS i, NULL::text AS kind, (SELECT x::text FROM h) AS n, NULL::text AS up, NULL::text AS del, NULL::text AS last, NULL::int AS rank`,
  ];
  for (let i = 0; i < n; i++) {
    const p = 2 + 4 * i;
    const where = afterCursor(p, '(SELECT x FROM h)');
    const budget = `(SELECT b FROM b${i})`;
    const lim = `(SELECT lim FROM s${i})`;
    // ORDER BY names the table's columns: a bare `xid` next to a text alias `xid` would sort
    // "10" before "9" (a page would then skip rows) and could not use the change_feed index.
    // `run` counts rows up to and including this change row (a chunk holds n, HQ migration 0010);
    // the page takes every change row that starts within its limit, so it holds whole chunks and
    // may end past the budget by less than a chunk. A change row holds at least one row, so the
    // budget's worth of change rows is as far as a page can reach.
    const order = 'ORDER BY c.xid, c.rank, c.key';
    // s<i>: the scope's page limit. A device applies a page's tombstones before its rows, so a
    // tombstone may not share a page with a chunk before it (the chunk may hold the row it
    // deletes, as it was): the page ends before the first tombstone that follows a chunk in it,
    // and the tombstone starts the next page. `lim` is where the page ends (rows before it), `used`
    // how far the rows that start within the budget reach (what is left for the next scope, b<i+1>).
    ctes.push(
      `s${i} AS MATERIALIZED (SELECT coalesce(min(z.run - z.n) FILTER (WHERE z.deleted AND z.chunked), ${budget})::int AS lim,
              coalesce(max(z.run), 0)::int AS used FROM (
         SELECT c.n, c.deleted, sum(c.n) OVER (${order} ROWS UNBOUNDED PRECEDING) AS run,
                coalesce(bool_or(c.keys IS NOT NULL) OVER (${order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS chunked
           FROM change AS c WHERE ${where} ${order} LIMIT ${budget}) AS z WHERE z.run - z.n < ${budget})`,
    );
    if (i + 1 < n) {
      // A page cut short leaves the scope with more: the scopes after it wait.
      ctes.push(
        `b${i + 1} AS MATERIALIZED (SELECT CASE WHEN s.lim < ${budget} THEN 0 ELSE greatest(${budget} - s.used, 0) END::int AS b FROM s${i} AS s)`,
      );
    }
    // PostgreSQL joins each kind's rows into one text (the rows are JSON already, a chunk's rows
    // a JSON array's inside): HQ reads a few values per page instead of 50,000 rows. In the feed's
    // order: a row may come twice in a page, in a chunk and after it changed, and the device
    // applies a kind's rows in the order given (the later wins). The position of the page's last
    // row comes from the same statement (a second read could see a row moved on by a later writer).
    parts.push(
      `SELECT ${i}, p.kind, sum(p.n)::text,
              coalesce(string_agg(coalesce(p.rows, p.row::text), ',' ORDER BY p.run) FILTER (WHERE NOT p.deleted), ''),
              coalesce(string_agg(p.row::text, ',' ORDER BY p.run) FILTER (WHERE p.deleted), ''),
              max(p.xid::text || ':' || p.rank || ':' || p.key) FILTER (WHERE p.run >= ${lim}),
              min(p.rank)::int
         FROM (SELECT c.kind, c.xid, c.rank, c.key, c.row, c.rows, c.deleted, c.n, sum(c.n) OVER (${order} ROWS UNBOUNDED PRECEDING) AS run
                 FROM change AS c WHERE ${where} ${order} LIMIT ${budget}) AS p WHERE p.run - p.n < ${lim} GROUP BY p.kind`,
    );
    // Whether the scope has rows the horizon holds back (committed above a transaction still running):
    // a drained page without any is the scope's head (feed-heads.ts). rank -1 marks this row.
    // The cursor's comparison is spelled out so that the index scan starts at the horizon: as a
    // row comparison it was the scan's start, and the scan walked every entry from the cursor to
    // the scope's end (34 ms on a 200k-SKU brand scope, per page; 180 ms when the planner took a
    // whole-table scan instead on a just-loaded table) to find none. Ordered as the index is: a
    // table scan would need a sort on top, which keeps the planner on the index.
    parts.push(
      `SELECT ${i}, NULL, count(*)::text, ${lim}::text, NULL, NULL, -1 FROM (SELECT 1 FROM change AS c
         WHERE c.scope = $${p} AND c.xid >= (SELECT x FROM h)
           AND (c.xid > $${p + 1}::xid8 OR (c.xid = $${p + 1}::xid8 AND (c.rank, c.key) > ($${p + 2}::smallint, $${p + 3}::text)))
         ORDER BY c.xid, c.rank, c.key LIMIT 1) AS z`,
    );
  }
  const text = `WITH ${ctes.join(',\n')}\n${parts.join('\nUNION ALL\n')}`;
  statements.set(n, text);
  return text;
}

/** A scope's change rows after a cursor and below `horizon`: the scope and the cursor are parameters $p … $(p+3). */
function afterCursor(p: number, horizon: string): string {
  return `c.scope = $${p} AND (c.xid, c.rank, c.key) > ($${p + 1}::xid8, $${p + 2}::smallint, $${p + 3}::text) AND c.xid < ${horizon}`;
}

/**
 * What is left of a scope from a cursor, below the horizon (this page's rows included): the
 * progress bar's total. A statement of its own, so that it runs beside the page's (on PostgreSQL
 * on another connection; PGlite, with one, runs them in turn): inside the page's statement it was
 * PostgreSQL's to do after the page, and the device, which has nothing to apply before its first
 * page, waited for it (the bench's 214,762-row brand scope: 80–330 ms of a provisioning's first
 * page). Its own snapshot: a row committed between the two statements may be counted or not,
 * which a progress bar can take.
 */
const LEFT = `SELECT coalesce(sum(c.n), 0)::text AS n FROM change AS c WHERE ${afterCursor(1, 'pg_snapshot_xmin(pg_current_snapshot())')}`;

async function countLeft(sql: Sql, scope: string, c: FeedCursor): Promise<number> {
  // On the connections without parallel workers (db.ts): its plan is the same index range scan whatever the cursor.
  const [row] = await sql.query<{ n: string }>(LEFT, [scope, c.xid, c.rank, c.key], { name: 'feed_left', genericPlan: true });
  return Number(row?.n ?? 0);
}

/** i = -1: the horizon; a kind: that kind's rows in scope i's page; no kind (rank -1): whether scope i has rows held back. */
type FeedRow = {
  i: number;
  kind: string | null;
  n: string;
  up: string | null;
  del: string | null;
  last: string | null;
  rank: number | null;
};

/**
 * Pages of several scopes in one statement, sharing `limit` rows in the order given: a later
 * scope is read only with what the earlier ones left, and only once they are drained. See
 * `FeedPage` for what a page and its cursor mean.
 */
export async function readFeeds(
  sql: Sql,
  requests: readonly FeedRequest[],
  limit: number,
  withTotal: boolean,
  /** The kinds the device knows: other kinds' rows count towards the page (the cursor moves past them) but are not sent. */
  kinds?: ReadonlySet<string>,
): Promise<ScopePage[]> {
  const cursors = requests.map((r) => parseCursor(r.cursor));
  const params: unknown[] = [limit];
  requests.forEach((r, i) => {
    const c = cursors[i] as FeedCursor;
    params.push(r.scope, c.xid, c.rank, c.key);
  });
  // A poll (most calls: at the feed's head) keeps one generic plan; a provisioning page, asked with
  // its totals, is planned for its own cursor and budget. The first scope's total is counted beside it.
  const [rows, firstLeft] = await Promise.all([
    sql.query<FeedRow>(feedStatement(requests.length), params, {
      name: `feed_${requests.length}_${withTotal ? 'provision' : 'poll'}`,
      genericPlan: !withTotal,
    }),
    withTotal && requests[0] ? countLeft(sql, requests[0].scope, cursors[0] as FeedCursor) : undefined,
  ]);
  const horizon = rows.find((r) => r.i === -1)?.n ?? '0';
  const known = kinds;
  let budget = limit;
  const pages = requests.map((r, i): ScopePage => {
    const cursor = cursors[i] as FeedCursor;
    const mine = rows.filter((row) => row.i === i);
    // The same arithmetic as the statement's LIMITs: what the scopes before this one left.
    if (budget <= 0) return { scope: r.scope, served: false, heldBack: true, json: '[]', rows: 0, cursor: r.cursor, more: true };
    // Kinds by rank (parents first). Grouping keeps the page's meaning: within a kind the rows
    // keep the feed's order, and no tombstone in the page follows a chunk (s<i> above) — a
    // chunk's older change rows are gone once it commits (HQ migration 0010), and the device
    // applies the page's tombstones first.
    const kinds = mine.filter((row) => row.kind !== null).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const count = kinds.reduce((s, k) => s + Number(k.n), 0);
    // Where the page ends: the budget, or before a tombstone that follows a chunk (the held-back row carries it).
    const held = mine.find((row) => row.kind === null && row.rank === -1);
    const lim = held?.up != null ? Number(held.up) : budget;
    // A page ends at its limit or past it (a chunk it started): the scope may have more.
    const more = count >= lim;
    // A page cut short leaves its scope with more: the scopes after it wait (the statement's b<i>).
    budget = lim < budget ? 0 : budget - count;
    const last = kinds.find((k) => k.last !== null)?.last;
    if (more && !last) throw new Error('a full feed page without its last position');
    // Drained: jump to the horizon (everything below it is served). Otherwise continue after the last row.
    const next: FeedCursor = more && last ? parseCursor(last) : maxCursor(cursor, { xid: horizon, rank: 0, key: '' });
    const heldBack = Number(held?.n ?? 1) > 0;
    const sets = kinds
      .filter((k) => !known || known.has(k.kind as string))
      .map((k) => `{"kind":${JSON.stringify(k.kind)},"rows":[${k.up ?? ''}],"deletes":[${k.del ?? ''}]}`);
    return {
      scope: r.scope,
      served: true,
      heldBack,
      json: `[${sets.join(',')}]`,
      rows: count,
      cursor: formatCursor(next),
      more,
    };
  });
  // The totals of the other scopes the budget reached, counted once the page says which those are
  // (a count of a scope it did not reach would be thrown away). On a device's first page that is
  // its brand scope alone, unless the brand is smaller than a page.
  if (withTotal) {
    const lefts = await Promise.all(
      pages.map((p, i) => (i === 0 ? firstLeft : p.served ? countLeft(sql, p.scope, cursors[i] as FeedCursor) : undefined)),
    );
    pages.forEach((p, i) => {
      if (lefts[i] !== undefined) p.total = lefts[i];
    });
  }
  return pages;
}

/** The feed's order of cursors: by transaction id, then rank, then key (negative when `a` comes first). */
export function compareCursors(a: FeedCursor, b: FeedCursor): number {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.key === b.key ? 0 : a.key < b.key ? -1 : 1;
}

function maxCursor(a: FeedCursor, b: FeedCursor): FeedCursor {
  return compareCursors(a, b) > 0 ? a : b;
}
