import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { HqDb } from '../db.js';

/**
 * An event recorded as an HQ of an earlier version recorded it, queued for the projector — plain
 * SQL of that version, for the upgrade tests of the migrations that changed how a payload is kept:
 * before migration 0009 (`jsonb`) the whole payload in `payload`; from 0009 to 0012 (`json`) in
 * `body`, with the fields the unique indexes read in `payload`.
 */
export async function recordAsBefore(db: HqDb, event: OutboxEvent, era: 'jsonb' | 'json'): Promise<void> {
  const sale = event.payload as Partial<SaleCompleted>;
  const indexed = event.type === 'sale.completed' ? { receiptNo: sale.receiptNo, saleId: sale.saleId } : {};
  await db.query(
    `WITH e AS (
       INSERT INTO event (id, type, device_id, store_id, staff_id, ${era === 'json' ? 'body, ' : ''}payload, occurred_at, received_at)
       VALUES ($1, $2, $3, $4, $5, ${era === 'json' ? '$8::json, ' : ''}$6::jsonb, $7, $7) RETURNING hq_seq, id
     )
     INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM e`,
    [
      event.id,
      event.type,
      event.deviceId,
      event.storeId,
      event.staffId,
      JSON.stringify(era === 'json' ? indexed : event.payload),
      event.occurredAt,
      ...(era === 'json' ? [JSON.stringify(event.payload)] : []),
    ],
  );
}

/** The plan of a query reading every payload through `sf_event_payload`: the tests check the function is inlined (no call per row). */
export async function payloadReaderPlan(db: HqDb): Promise<string> {
  const plan = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN (VERBOSE, COSTS OFF) SELECT sf_event_payload(e) FROM event e');
  return plan.map((r) => r['QUERY PLAN']).join('\n');
}
