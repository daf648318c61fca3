import type { OutboxEvent } from '../../protocol/events/index.js';
import type { Sql } from '../db.js';
import { effectColumns } from './effects.js';

/**
 * Records a batch of checked events and applies the effects of the new ones in ONE statement:
 * `event` gets `ON CONFLICT (id) DO NOTHING RETURNING id`, and every effect (sale, lines,
 * tenders, stock, cash) is a data-modifying CTE that keeps only rows whose event id that insert
 * returned — so an event HQ already had moves nothing, and exactly once holds inside the
 * statement. One round trip instead of one per table (PGlite runs one statement at a time
 * anyway). The events travel as one JSON parameter parsed once into the stored jsonb (one text
 * parameter is cheaper than a text[] of payloads, whose every quote the driver escapes); the
 * effect columns travel as arrays built in Node (effects.ts) and expanded with `unnest`.
 *
 * Stock moves one row per SKU (summed over the new events' lines), in SKU order so two devices of
 * one store never deadlock on stock rows. An SKU HQ does not know moves no stock (the sale itself
 * is still a fact); one without a stock row at the store gets one. The change-log triggers send
 * the new quantities to the store's devices. Foreign keys (sale → event, line → sale) are checked
 * at the end of the statement, so parents written by an earlier CTE count.
 *
 * Returns the ids that are new. A data error (a receipt number another sale holds, a value
 * PostgreSQL refuses) fails the whole statement: the caller falls back to event by event.
 */
export async function recordBatch(
  sql: Sql,
  deviceId: string,
  storeId: string,
  events: readonly OutboxEvent[],
  now: Date,
  /** Events of a type this HQ does not know yet: recorded with `deferred_at`, their effects not applied. */
  deferred: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { sale, line, tender, cash } = effectColumns(events.filter((e) => !deferred.has(e.id)));
  const params: unknown[] = [];
  const p = (value: unknown, type: string): string => `$${params.push(value)}::${type}`;
  const device = p(deviceId, 'uuid');
  const store = p(storeId, 'text');
  const at = p(now.toISOString(), 'timestamptz');
  const lines = `unnest(${p(line.eventId, 'uuid[]')}, ${p(line.id, 'text[]')}, ${p(line.saleId, 'text[]')}, ${p(line.sku, 'text[]')}, ${p(line.qty, 'int8[]')}, ${p(line.unitFen, 'int8[]')}, ${p(line.totalFen, 'int8[]')}, ${p(line.originalLineId, 'text[]')})
        AS x(event_id, id, sale_id, sku, qty, unit_fen, total_fen, original_line_id)`;
  const text = `
    WITH ins AS (
      INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at, received_at, deferred_at)
      SELECT x.id, x.type, ${device}, x."storeId", x."staffId", x.payload, x."occurredAt", ${at},
             CASE WHEN x.id = ANY(${p([...deferred], 'uuid[]')}) THEN ${at} END
        FROM jsonb_to_recordset(${p(JSON.stringify(events), 'jsonb')}) AS x(id uuid, type text, "storeId" text, "staffId" text, payload jsonb, "occurredAt" timestamptz)
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), sales AS (
      INSERT INTO sale (id, event_id, receipt_no, kind, store_id, device_id, staff_id, customer_id, original_sale_id, business_day, total_fen, net_fen, offline, created_at, received_at)
      SELECT x.id, x.event_id, x.receipt_no, x.kind, ${store}, ${device}, x.staff_id, x.customer_id, x.original_sale_id, x.business_day, x.total_fen, x.net_fen, x.offline, x.created_at, ${at}
        FROM unnest(${p(sale.eventId, 'uuid[]')}, ${p(sale.id, 'text[]')}, ${p(sale.receiptNo, 'text[]')}, ${p(sale.kind, 'text[]')}, ${p(sale.staffId, 'text[]')}, ${p(sale.customerId, 'text[]')},
                    ${p(sale.originalSaleId, 'text[]')}, ${p(sale.businessDay, 'date[]')}, ${p(sale.totalFen, 'int8[]')}, ${p(sale.netFen, 'int8[]')}, ${p(sale.offline, 'bool[]')}, ${p(sale.createdAt, 'timestamptz[]')})
          AS x(event_id, id, receipt_no, kind, staff_id, customer_id, original_sale_id, business_day, total_fen, net_fen, offline, created_at)
       WHERE x.event_id IN (SELECT id FROM ins)
    ), lines AS (
      INSERT INTO sale_line (id, sale_id, sku, qty, unit_fen, total_fen, original_line_id)
      SELECT x.id, x.sale_id, x.sku, x.qty, x.unit_fen, x.total_fen, x.original_line_id FROM ${lines}
       WHERE x.event_id IN (SELECT id FROM ins)
    ), tenders AS (
      INSERT INTO sale_tender (sale_id, n, method, amount_fen, reference)
      SELECT x.sale_id, x.n, x.method, x.amount_fen, x.reference
        FROM unnest(${p(tender.eventId, 'uuid[]')}, ${p(tender.saleId, 'text[]')}, ${p(tender.n, 'int4[]')}, ${p(tender.method, 'text[]')}, ${p(tender.amountFen, 'int8[]')}, ${p(tender.reference, 'text[]')})
          AS x(event_id, sale_id, n, method, amount_fen, reference)
       WHERE x.event_id IN (SELECT id FROM ins)
    ), moved AS (
      INSERT INTO stock (location_id, sku, qty, updated_at)
      SELECT ${store}, d.sku, -d.sold, ${at}
        FROM (SELECT x.sku, sum(x.qty) AS sold FROM ${lines} WHERE x.event_id IN (SELECT id FROM ins) GROUP BY x.sku) AS d
        JOIN sku s ON s.sku = d.sku
       WHERE d.sold <> 0
       ORDER BY d.sku
      ON CONFLICT (location_id, sku) DO UPDATE SET qty = stock.qty + excluded.qty, updated_at = excluded.updated_at
    ), cash AS (
      INSERT INTO cash_movement (id, event_id, store_id, device_id, session_id, kind, amount_fen, staff_id)
      SELECT x.id, x.event_id, ${store}, ${device}, x.session_id, x.kind, x.amount_fen, x.staff_id
        FROM unnest(${p(cash.eventId, 'uuid[]')}, ${p(cash.id, 'text[]')}, ${p(cash.sessionId, 'text[]')}, ${p(cash.kind, 'text[]')}, ${p(cash.amountFen, 'int8[]')}, ${p(cash.staffId, 'text[]')})
          AS x(event_id, id, session_id, kind, amount_fen, staff_id)
       WHERE x.event_id IN (SELECT id FROM ins)
    )
    SELECT id::text AS id FROM ins`;
  const rows = await sql.query<{ id: string }>(text, params);
  return new Set(rows.map((r) => r.id));
}
