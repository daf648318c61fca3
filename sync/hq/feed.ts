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

/** One kind's rows in a page, already joined into JSON text by PostgreSQL. */
type KindRows = { kind: string; rows: string; up: string; del: string; last: string | null };

export async function readFeed(sql: Sql, scope: string, cursorText: string, limit: number, withTotal: boolean): Promise<FeedPage> {
  const cursor = parseCursor(cursorText);
  const [h] = await sql.query<{ horizon: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon');
  const horizon = h?.horizon ?? '0';
  const params = [scope, cursor.xid, cursor.rank, cursor.key, horizon, limit];
  // ORDER BY names the table's columns: a bare `xid` next to a text alias `xid` would sort
  // "10" before "9" (a page would then skip rows) and could not use the change_feed index.
  const window = `SELECT c.kind, c.xid, c.rank, c.key, c.row, c.deleted, row_number() OVER (ORDER BY c.xid, c.rank, c.key) AS n FROM change AS c
     WHERE c.scope = $1 AND (c.xid, c.rank, c.key) > ($2::xid8, $3::smallint, $4::text) AND c.xid < $5::xid8
     ORDER BY c.xid, c.rank, c.key LIMIT $6`;
  // PostgreSQL joins each kind's rows into one text (the rows are JSON already): HQ reads a few
  // values per page instead of 50,000 rows. A page holds each entity once (the change log keeps
  // its latest state only), so grouping by kind and sending kinds by rank (parents first) keeps
  // what a page means.
  const kinds = await sql.query<KindRows>(
    `SELECT p.kind, count(*)::text AS rows,
            coalesce(string_agg(p.row::text, ',') FILTER (WHERE NOT p.deleted), '') AS up,
            coalesce(string_agg(p.row::text, ',') FILTER (WHERE p.deleted), '') AS del,
            max(p.xid::text || ':' || p.rank || ':' || p.key) FILTER (WHERE p.n = $6) AS last
       FROM (${window}) AS p
      GROUP BY p.kind ORDER BY min(p.rank)`,
    params,
  );
  const count = kinds.reduce((n, k) => n + Number(k.rows), 0);
  const more = count === limit;
  // The page's last position comes from the same statement (a second read could see a row
  // moved on by a later writer and put the cursor past a row this page did not carry).
  const last = kinds.find((k) => k.last !== null)?.last;
  // Drained: jump to the horizon (everything below it is served). Otherwise continue after the last row.
  if (more && !last) throw new Error('a full feed page without its last position');
  const next: FeedCursor = more && last ? parseCursor(last) : maxCursor(cursor, { xid: horizon, rank: 0, key: '' });
  let total: number | undefined;
  if (withTotal) {
    const [t] = await sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM change AS c WHERE c.scope = $1 AND (c.xid, c.rank, c.key) > ($2::xid8, $3::smallint, $4::text) AND c.xid < $5::xid8',
      params.slice(0, 5),
    );
    total = Number(t?.n ?? 0);
  }
  const sets = kinds.map((k) => `{"kind":${JSON.stringify(k.kind)},"rows":[${k.up}],"deletes":[${k.del}]}`);
  return { json: `[${sets.join(',')}]`, rows: count, cursor: formatCursor(next), more, total };
}

function maxCursor(a: FeedCursor, b: FeedCursor): FeedCursor {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  return ax > bx || (ax === bx && (a.rank > b.rank || (a.rank === b.rank && a.key > b.key))) ? a : b;
}
