import type { Sql } from '../../db.js';

/**
 * The tables a refused request must leave exactly as they were. `request_nonce` is not among
 * them: a correctly signed request uses up its nonce even when its body is then refused (that
 * is what makes its replay fail), and `admin_token` grows by the fuzzer's own login.
 */
export const WATCHED_TABLES = [
  'event',
  'sale',
  'sale_line',
  'sale_tender',
  'refund_exception',
  'cash_movement',
  'stock',
  'change',
  'device',
  'dead_letter',
  'enrolment_code',
] as const;

export type Fingerprint = Record<(typeof WATCHED_TABLES)[number], { rows: number; hash: string }>;

/**
 * Row count and an md5 over every row's full text, in a stable order, per table. Works the same
 * on PGlite and PostgreSQL; `change` includes its xid, so even a rewrite of identical content
 * (a write that would nudge devices) shows.
 */
export async function fingerprint(sql: Sql): Promise<Fingerprint> {
  const out: Partial<Fingerprint> = {};
  for (const table of WATCHED_TABLES) {
    const [row] = await sql.query<{ rows: string; hash: string | null }>(
      `SELECT count(*)::text AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS hash FROM ${table} AS t`,
    );
    out[table] = { rows: Number(row?.rows ?? 0), hash: row?.hash ?? '' };
  }
  return out as Fingerprint;
}
