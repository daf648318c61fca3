import type { Sql } from '../db.js';

/** A year's spend from which a customer is a high spender (¥8,000). */
export const HIGH_SPENDER_FEN = 800_000;

/**
 * HQ's automatic tags, from each customer's all-channel purchases: dormant_180 / _360 / _720 (days
 * without a purchase), high_spender (a year's spend), size:<their usual size>, category:<the
 * category they buy most>. Recomputed for one store's customers (or the given ones): tags that no
 * longer hold go (the devices get tombstones), new ones come, a guide's manual tags are never
 * touched. The profile's figures (last purchase, count, spend, usual size) are recomputed with them.
 */
export async function refreshAutoTags(
  sql: Sql,
  scope: { storeId?: string; customerIds?: readonly string[] },
  now: Date,
): Promise<{ added: number; removed: number }> {
  const params = [scope.storeId ?? null, scope.customerIds ?? null, now, HIGH_SPENDER_FEN];
  const who = `($1::text IS NULL OR c.store_id = $1) AND ($2::text[] IS NULL OR c.id = ANY($2::text[]))`;
  await sql.query(
    `UPDATE customer_profile p SET last_purchase_at = f.last_at, purchases = f.n, spend_fen = f.spend, sizes = coalesce(nullif(p.sizes, ''), f.size, ''), updated_at = $3
       FROM (
         SELECT c.id, max(b.at) AS last_at, count(b.id) FILTER (WHERE b.total_fen > 0)::int AS n, coalesce(sum(b.total_fen), 0) AS spend,
                (SELECT mode() WITHIN GROUP (ORDER BY k.size) FROM customer_purchase b2, jsonb_array_elements(b2.items) AS i JOIN sku k ON k.sku = i->>'sku'
                  WHERE b2.customer_id = c.id) AS size
           FROM customer c LEFT JOIN customer_purchase b ON b.customer_id = c.id
          WHERE ${who} GROUP BY c.id) AS f
      WHERE p.customer_id = f.id
        AND (p.last_purchase_at IS DISTINCT FROM f.last_at OR p.purchases <> f.n OR p.spend_fen <> f.spend OR (p.sizes = '' AND f.size IS NOT NULL))`,
    params.slice(0, 3),
  );
  const want = `
    SELECT c.id AS customer_id, c.store_id, w.tag FROM customer c JOIN customer_profile p ON p.customer_id = c.id,
      LATERAL (
        SELECT CASE WHEN p.last_purchase_at <= $3::timestamptz - interval '720 days' THEN 'dormant_720'
                    WHEN p.last_purchase_at <= $3::timestamptz - interval '360 days' THEN 'dormant_360'
                    WHEN p.last_purchase_at <= $3::timestamptz - interval '180 days' THEN 'dormant_180' END
        UNION ALL
        SELECT 'high_spender' WHERE (SELECT coalesce(sum(b.total_fen), 0) FROM customer_purchase b
                                      WHERE b.customer_id = c.id AND b.at > $3::timestamptz - interval '365 days') >= $4
        UNION ALL
        SELECT 'size:' || split_part(p.sizes, ',', 1) WHERE p.sizes <> ''
        UNION ALL
        SELECT 'category:' || (SELECT mode() WITHIN GROUP (ORDER BY s.category_en)
                                 FROM customer_purchase b, jsonb_array_elements(b.items) AS i JOIN sku k ON k.sku = i->>'sku' JOIN style s ON s.code = k.style_code
                                WHERE b.customer_id = c.id)
      ) AS w(tag)
     WHERE ${who} AND w.tag IS NOT NULL`;
  const removed = await sql.query(
    `DELETE FROM customer_tag t USING customer c
      WHERE t.customer_id = c.id AND t.source = 'auto' AND ${who}
        AND NOT EXISTS (SELECT 1 FROM (${want}) AS w WHERE w.customer_id = t.customer_id AND w.tag = t.tag)
      RETURNING 1`,
    params,
  );
  const added = await sql.query(
    `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at)
     SELECT customer_id, tag, store_id, 'auto', $3 FROM (${want}) AS w ON CONFLICT (customer_id, tag) DO NOTHING RETURNING 1`,
    params,
  );
  return { added: added.length, removed: removed.length };
}
