import type { Sql } from '../db.js';

/**
 * The effects of newly recorded events, batched: one statement per table for the whole batch,
 * reading the payloads HQ just stored (no row-at-a-time round trips — PGlite is ~20× slower so).
 * `ids` are events inserted by this transaction; duplicates never get here, so nothing is applied twice.
 */
export async function applyEffects(sql: Sql, ids: readonly string[], storeId: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  const sales = `FROM event e WHERE e.id = ANY($1::uuid[]) AND e.type = 'sale.completed'`;
  await sql.query(
    `INSERT INTO sale (id, event_id, receipt_no, kind, store_id, device_id, staff_id, customer_id, original_sale_id, business_day, total_fen, net_fen, offline, created_at, received_at)
     SELECT e.payload->>'saleId', e.id, e.payload->>'receiptNo', e.payload->>'kind', e.store_id, e.device_id, e.payload->>'staffId', e.payload->>'customerId',
            e.payload->>'originalSaleId', (e.payload->>'businessDay')::date, (e.payload#>>'{totals,totalFen}')::bigint, (e.payload#>>'{totals,netFen}')::bigint,
            (e.payload->>'offline')::boolean, (e.payload->>'createdAt')::timestamptz, e.received_at
     ${sales}`,
    [ids],
  );
  await sql.query(
    `INSERT INTO sale_line (id, sale_id, sku, qty, unit_fen, total_fen)
     SELECT l->>'lineId', e.payload->>'saleId', l->>'sku', (l->>'qty')::integer, (l->>'unitFen')::bigint, (l->>'totalFen')::bigint
       FROM event e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'lines') AS l
      WHERE e.id = ANY($1::uuid[]) AND e.type = 'sale.completed'`,
    [ids],
  );
  await sql.query(
    `INSERT INTO sale_tender (sale_id, n, method, amount_fen, reference)
     SELECT e.payload->>'saleId', t.n, t.v->>'method', (t.v->>'amountFen')::bigint, t.v->>'reference'
       FROM event e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'tenders') WITH ORDINALITY AS t(v, n)
      WHERE e.id = ANY($1::uuid[]) AND e.type = 'sale.completed'`,
    [ids],
  );
  // One row per SKU (aggregated), in SKU order so two devices of one store never deadlock on
  // stock rows. An SKU HQ does not know moves no stock (the sale itself is still a fact).
  // The change-log trigger sends the new quantities to the store's devices.
  await sql.query(
    `INSERT INTO stock (location_id, sku, qty, updated_at)
     SELECT $2, d.sku, -d.sold, $3::timestamptz
       FROM (SELECT l->>'sku' AS sku, sum((l->>'qty')::integer) AS sold
               FROM event e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'lines') AS l
              WHERE e.id = ANY($1::uuid[]) AND e.type = 'sale.completed'
              GROUP BY 1) AS d
       JOIN sku s ON s.sku = d.sku
      WHERE d.sold <> 0
      ORDER BY d.sku
     ON CONFLICT (location_id, sku) DO UPDATE SET qty = stock.qty + excluded.qty, updated_at = excluded.updated_at`,
    [ids, storeId, now.toISOString()],
  );
  await sql.query(
    `INSERT INTO cash_movement (id, event_id, store_id, device_id, session_id, kind, amount_fen, staff_id)
     SELECT e.payload->>'id', e.id, e.store_id, e.device_id, e.payload->>'sessionId', substr(e.type, 6), (e.payload->>'amountFen')::bigint, e.staff_id
       FROM event e
      WHERE e.id = ANY($1::uuid[]) AND e.type IN ('cash.paid_in', 'cash.paid_out', 'cash.no_sale')`,
    [ids],
  );
}
