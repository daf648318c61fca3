import type { Sql } from './db.js';

/** A position in a scope's feed: everything up to (xid, rank, key) has been applied. */
export type FeedCursor = { xid: string; rank: number; key: string };

export class CursorError extends Error {}

const CURSOR = /^(\d{1,20}):(\d{1,3}):(.*)$/s;

export function parseCursor(text: string): FeedCursor {
  if (text === '') return { xid: '0', rank: 0, key: '' };
  const m = CURSOR.exec(text);
  if (!m) throw new CursorError('the cursor is not one HQ gave out');
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

type Row = { kind: string; xid: string; rank: number; key: string; row: string; deleted: boolean };

export async function readFeed(sql: Sql, scope: string, cursorText: string, limit: number, withTotal: boolean): Promise<FeedPage> {
  const cursor = parseCursor(cursorText);
  const [h] = await sql.query<{ horizon: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon');
  const horizon = h?.horizon ?? '0';
  const rows = await sql.query<Row>(
    `SELECT kind, xid::text AS xid, rank, key, row::text AS row, deleted
       FROM change
      WHERE scope = $1 AND (xid, rank, key) > ($2::xid8, $3::smallint, $4::text) AND xid < $5::xid8
      ORDER BY xid, rank, key
      LIMIT $6`,
    [scope, cursor.xid, cursor.rank, cursor.key, horizon, limit],
  );
  let total: number | undefined;
  if (withTotal) {
    const [t] = await sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM change WHERE scope = $1 AND (xid, rank, key) > ($2::xid8, $3::smallint, $4::text) AND xid < $5::xid8',
      [scope, cursor.xid, cursor.rank, cursor.key, horizon],
    );
    total = Number(t?.n ?? 0);
  }
  const more = rows.length === limit;
  const last = rows.at(-1);
  // Drained: jump to the horizon (everything below it is served). Otherwise continue after the last row.
  const next: FeedCursor = more && last ? { xid: last.xid, rank: last.rank, key: last.key } : maxCursor(cursor, { xid: horizon, rank: 0, key: '' });
  return { json: setsJson(rows), rows: rows.length, cursor: formatCursor(next), more, total };
}

function maxCursor(a: FeedCursor, b: FeedCursor): FeedCursor {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  return ax > bx || (ax === bx && (a.rank > b.rank || (a.rank === b.rank && a.key > b.key))) ? a : b;
}

/** Consecutive rows of one kind become one set, in feed order (parents before children). */
function setsJson(rows: Row[]): string {
  const sets: string[] = [];
  let i = 0;
  while (i < rows.length) {
    const kind = (rows[i] as Row).kind;
    const upserts: string[] = [];
    const deletes: string[] = [];
    while (i < rows.length && (rows[i] as Row).kind === kind) {
      const r = rows[i] as Row;
      (r.deleted ? deletes : upserts).push(r.row);
      i++;
    }
    sets.push(`{"kind":${JSON.stringify(kind)},"rows":[${upserts.join(',')}],"deletes":[${deletes.join(',')}]}`);
  }
  return `[${sets.join(',')}]`;
}
