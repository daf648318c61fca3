import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { Sql } from '../db.js';

/**
 * Records a batch of checked events in ONE statement and queues the new ones for HQ's projector
 * (sync/hq/projector): `event` gets `ON CONFLICT (id) DO NOTHING RETURNING id`, and only the rows
 * that insert returned go into `projection_queue` — an event HQ already had is neither recorded
 * nor queued again, so exactly once holds inside the statement. The events travel as one JSON
 * parameter (one text parameter is cheaper than a text[] of payloads, whose every quote the driver
 * escapes), read by `json_to_recordset`: each payload is stored as `json` text (`event.body`,
 * migration 0009: what HQ parsed and checked, written again by JSON.stringify), never converted to
 * `jsonb` — that conversion was half the statement. `event.payload` gets only the fields the
 * unique indexes read (indexedFields).
 *
 * Nothing else is written here: the sale, its lines, tenders, stock, cash, coupons, points and
 * the customer book are the projector's, in its own transactions. A sale's receipt number and
 * sale id are unique among recorded events (migration 0006), so a push that reuses one fails here
 * with 23505, as it did when the push wrote the sale itself.
 *
 * Returns the ids that are new. A data error (a receipt number another sale holds, a value
 * PostgreSQL refuses — a `\u0000` or a lone surrogate in a payload, which `json_to_recordset`
 * refuses as `jsonb` did) fails the whole statement: the caller falls back to event by event.
 */
export async function recordBatch(
  sql: Sql,
  deviceId: string,
  events: readonly OutboxEvent[],
  now: Date,
  /** Events of a type this HQ does not know yet: recorded with `deferred_at`, not queued for projection. */
  deferred: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO event (id, type, device_id, store_id, staff_id, body, payload, occurred_at, received_at, deferred_at)
       SELECT x.id, x.type, $1::uuid, x."storeId", x."staffId", x.payload, x.indexed, x."occurredAt", $2::timestamptz,
              CASE WHEN x.id = ANY($3::uuid[]) THEN $2::timestamptz END
         FROM json_to_recordset($4::json)
           AS x(id uuid, type text, "storeId" text, "staffId" text, payload json, indexed jsonb, "occurredAt" timestamptz)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, hq_seq, deferred_at
     ), queued AS (
       INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM ins WHERE deferred_at IS NULL
     )
     SELECT id::text AS id FROM ins`,
    [deviceId, now.toISOString(), [...deferred], JSON.stringify(events.map((e) => ({ ...e, indexed: indexedFields(e) })))],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * What `event.payload` holds of an event recorded since migration 0009: the fields the unique
 * indexes `event_receipt_no` and `event_sale_id` read (`payload->>'receiptNo'`, `->>'saleId'`, on
 * sales only), so they keep covering old and new events alike.
 */
export function indexedFields(event: OutboxEvent): Record<string, unknown> {
  if (event.type !== 'sale.completed') return {};
  // A sale passed its schema before it gets here (only a test playing an older HQ skips that).
  const sale = event.payload as Partial<SaleCompleted> | null;
  return { receiptNo: sale?.receiptNo, saleId: sale?.saleId };
}
