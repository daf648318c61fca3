import type { Sql } from '../db.js';
import { CHANGE_ROWS } from './change-log.js';

/** The tables importSampleBrand writes (sync/hq/sample-brand.ts). */
const SAMPLE_TABLES = [
  'location',
  'staff',
  'style',
  'sku',
  'stock',
  'promotion',
  'customer',
  'customer_profile',
  'member_code',
  'customer_tag',
  'customer_purchase',
  'customer_note',
  'customer_task',
  'guide_result',
  'coupon',
];

/**
 * For tests of a sample brand import that was cut short and completed: the rows of each table it
 * writes, and the change log's rows by kind (`change:<kind>`) — equal to a clean import's when
 * nothing is missing and nothing went in twice.
 */
export async function sampleCounts(db: Sql): Promise<Record<string, number>> {
  const [tables] = await db.query<Record<string, number>>(
    `SELECT ${SAMPLE_TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`,
  );
  const counts: Record<string, number> = { ...tables };
  for (const row of await db.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM ${CHANGE_ROWS} GROUP BY kind ORDER BY kind`,
  )) {
    counts[`change:${row.kind}`] = row.n;
  }
  return counts;
}
