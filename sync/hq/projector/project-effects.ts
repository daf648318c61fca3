import type { Sql } from '../db.js';
import { effectColumns } from './effects.js';
import type { RecordedEvent } from './effects.js';

/**
 * Writes the table effects of a batch of recorded events in ONE statement: sales, lines, tenders
 * and cash movements as multi-row `unnest` inserts, and stock summed per store × SKU over the whole
 * batch — one upsert and one change-log row per store × SKU, however many sales of the batch sold
 * it. The caller passes only events it took off the projection queue in the same transaction
 * (project-batch.ts), so an event's effects are written exactly once; and should the same event
 * come again, its sale or cash movement (unique by event id) is already there and nothing of it
 * moves a second time. Returns the ids of the events whose sale or cash movement this wrote.
 *
 * Stock rows are taken in store, SKU order. Only one projector writes at a time (PROJECTOR_LOCK,
 * which a push projecting returns' originals takes too), so the order is for other writers of
 * stock (an admin setting stock levels): one taking rows in the same order never deadlocks with it.
 * An SKU HQ does not know moves no stock (the sale itself is still a fact); one without a stock
 * row at the store gets one. Foreign keys (line → sale) are checked at the end of the statement,
 * so parents written by an earlier CTE count.
 *
 * A data error (a line id another sale holds, a value PostgreSQL refuses) fails the whole
 * statement: the caller falls back to event by event.
 */
export async function projectEffects(sql: Sql, events: readonly RecordedEvent[], now: Date): Promise<Set<string>> {
  const { sale, line, tender, cash } = effectColumns(events);
  if (sale.id.length === 0 && cash.id.length === 0) return new Set();
  const params: unknown[] = [];
  const p = (value: unknown, type: string): string => `$${params.push(value)}::${type}`;
  const at = p(now.toISOString(), 'timestamptz');
  const text = `
    WITH sales AS (
      INSERT INTO sale (id, event_id, receipt_no, kind, store_id, device_id, staff_id, customer_id, original_sale_id, business_day, total_fen, net_fen, offline, created_at, received_at)
      SELECT x.id, x.event_id, x.receipt_no, x.kind, x.store_id, x.device_id, x.staff_id, x.customer_id, x.original_sale_id, x.business_day, x.total_fen, x.net_fen, x.offline, x.created_at, x.received_at
        FROM unnest(${p(sale.eventId, 'uuid[]')}, ${p(sale.storeId, 'text[]')}, ${p(sale.deviceId, 'uuid[]')}, ${p(sale.receivedAt, 'timestamptz[]')},
                    ${p(sale.id, 'text[]')}, ${p(sale.receiptNo, 'text[]')}, ${p(sale.kind, 'text[]')}, ${p(sale.staffId, 'text[]')}, ${p(sale.customerId, 'text[]')},
                    ${p(sale.originalSaleId, 'text[]')}, ${p(sale.businessDay, 'date[]')}, ${p(sale.totalFen, 'int8[]')}, ${p(sale.netFen, 'int8[]')}, ${p(sale.offline, 'bool[]')}, ${p(sale.createdAt, 'timestamptz[]')})
          AS x(event_id, store_id, device_id, received_at, id, receipt_no, kind, staff_id, customer_id, original_sale_id, business_day, total_fen, net_fen, offline, created_at)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id, event_id
    ), lines AS (
      SELECT x.* FROM unnest(${p(line.storeId, 'text[]')}, ${p(line.id, 'text[]')}, ${p(line.saleId, 'text[]')}, ${p(line.sku, 'text[]')}, ${p(line.qty, 'int8[]')},
                           ${p(line.unitFen, 'int8[]')}, ${p(line.totalFen, 'int8[]')}, ${p(line.originalLineId, 'text[]')})
        AS x(store_id, id, sale_id, sku, qty, unit_fen, total_fen, original_line_id)
       WHERE x.sale_id IN (SELECT id FROM sales)
    ), line_rows AS (
      INSERT INTO sale_line (id, sale_id, sku, qty, unit_fen, total_fen, original_line_id)
      SELECT x.id, x.sale_id, x.sku, x.qty, x.unit_fen, x.total_fen, x.original_line_id FROM lines AS x
    ), tenders AS (
      INSERT INTO sale_tender (sale_id, n, method, amount_fen, reference, instead_of)
      SELECT x.sale_id, x.n, x.method, x.amount_fen, x.reference, x.instead_of
        FROM unnest(${p(tender.saleId, 'text[]')}, ${p(tender.n, 'int4[]')}, ${p(tender.method, 'text[]')}, ${p(tender.amountFen, 'int8[]')}, ${p(tender.reference, 'text[]')},
                    ${p(tender.insteadOf, 'text[]')})
          AS x(sale_id, n, method, amount_fen, reference, instead_of)
       WHERE x.sale_id IN (SELECT id FROM sales)
    ), moved AS (
      INSERT INTO stock (location_id, sku, qty, updated_at)
      SELECT d.store_id, d.sku, -d.sold, ${at}
        FROM (SELECT x.store_id, x.sku, sum(x.qty) AS sold FROM lines AS x GROUP BY x.store_id, x.sku) AS d
        JOIN sku s ON s.sku = d.sku
       WHERE d.sold <> 0
       ORDER BY d.store_id, d.sku
      ON CONFLICT (location_id, sku) DO UPDATE SET qty = stock.qty + excluded.qty, updated_at = excluded.updated_at
    ), cash AS (
    INSERT INTO cash_movement (id, event_id, store_id, device_id, session_id, kind, amount_fen, staff_id)
    SELECT x.id, x.event_id, x.store_id, x.device_id, x.session_id, x.kind, x.amount_fen, x.staff_id
      FROM unnest(${p(cash.eventId, 'uuid[]')}, ${p(cash.storeId, 'text[]')}, ${p(cash.deviceId, 'uuid[]')}, ${p(cash.id, 'text[]')}, ${p(cash.sessionId, 'text[]')},
                  ${p(cash.kind, 'text[]')}, ${p(cash.amountFen, 'int8[]')}, ${p(cash.staffId, 'text[]')})
        AS x(event_id, store_id, device_id, id, session_id, kind, amount_fen, staff_id)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    )
    SELECT event_id::text AS id FROM sales UNION ALL SELECT event_id::text FROM cash`;
  const rows = await sql.query<{ id: string }>(text, params);
  return new Set(rows.map((r) => r.id));
}
