import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { Sql } from '../db.js';
import { TextArray } from '../pg-arrays.js';
import type { Rejection } from './check-events.js';

/** A checked event with its payload as the JSON text HQ records (`storable`). */
export type StorableEvent = OutboxEvent & { readonly payloadText: string };

/**
 * Records a batch of checked events in ONE statement and queues the new ones for HQ's projector
 * (sync/hq/projector): `event` gets `ON CONFLICT (id) DO NOTHING RETURNING id`, and only the rows
 * that insert returned go into `projection_queue` — an event HQ already had is neither recorded
 * nor queued again, so exactly once holds inside the statement. The events travel as one array
 * per column; the payloads, as the JSON text `storable` made of what HQ parsed and checked, in a
 * binary `text[]` (TextArray) that PostgreSQL copies into `event.body_text` unread (migration
 * 0012: checking them as `json` was two thirds of this statement). `event.payload` gets only the
 * fields the unique indexes read (a sale's receiptNo and saleId, `{}` for other types).
 *
 * Nothing else is written here: the sale, its lines, tenders, stock, cash, coupons, points and
 * the customer book are the projector's, in its own transactions. A sale's receipt number and
 * sale id are unique among recorded events (migration 0006), so a push that reuses one fails here
 * with 23505, as it did when the push wrote the sale itself.
 *
 * Returns the ids that are new. A data error (a receipt number another sale holds, a value
 * PostgreSQL refuses) fails the whole statement: the caller falls back to event by event.
 */
export async function recordBatch(
  sql: Sql,
  deviceId: string,
  events: readonly StorableEvent[],
  now: Date,
  /** Events of a type this HQ does not know yet: recorded with `deferred_at`, not queued for projection. */
  deferred: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const sales = events.map((e) => (e.type === 'sale.completed' ? (e.payload as Partial<SaleCompleted> | null) : null));
  const rows = await sql.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO event (id, type, device_id, store_id, staff_id, body_text, payload, occurred_at, received_at, deferred_at)
       SELECT x.id, x.type, $1::uuid, x.store_id, x.staff_id, x.body,
              CASE WHEN x.type = 'sale.completed'
                THEN jsonb_strip_nulls(jsonb_build_object('receiptNo', x.receipt_no, 'saleId', x.sale_id)) ELSE '{}' END,
              x.occurred_at, $2::timestamptz, CASE WHEN x.id = ANY($3::uuid[]) THEN $2::timestamptz END
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[])
           AS x(id, type, store_id, staff_id, body, occurred_at, receipt_no, sale_id)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, hq_seq, deferred_at
     ), queued AS (
       INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM ins WHERE deferred_at IS NULL
     )
     SELECT id::text AS id FROM ins`,
    [
      deviceId,
      now.toISOString(),
      [...deferred],
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.storeId),
      events.map((e) => e.staffId),
      new TextArray(events.map((e) => e.payloadText)),
      events.map((e) => e.occurredAt),
      sales.map((s) => s?.receiptNo ?? null),
      sales.map((s) => s?.saleId ?? null),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * An escape JSON.stringify writes for a NUL character (`\u0000`) or an unpaired surrogate
 * (`\ud800`–`\udfff`; a paired one it writes as it is), after an odd run of backslashes — an
 * even run is escaped backslashes followed by plain text. JSON.stringify writes no other `\u`
 * escapes but those of control characters, and in lower case.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/;

/**
 * Each event's payload as the JSON text HQ records, or why it cannot be recorded: a NUL character
 * or an unpaired surrogate anywhere in it, which PostgreSQL's `json` and text columns refuse (the
 * `json` column of migration 0009 refused them at push; `body_text` would take them, and the
 * projector would then fail on them after HQ had answered). Such an event is rejected, with the
 * reason, before anything is written.
 */
export function storable(events: readonly OutboxEvent[]): { events: StorableEvent[]; rejected: Map<string, Rejection> } {
  const out: StorableEvent[] = [];
  const rejected = new Map<string, Rejection>();
  for (const event of events) {
    // An event without a payload (only one of a type HQ does not check yet can be) is kept as JSON null.
    const payloadText = JSON.stringify(event.payload) ?? 'null';
    if (payloadText.includes('\\u') && UNSTORABLE_ESCAPE.test(payloadText)) {
      rejected.set(event.id, {
        reason: 'bad_payload',
        message: 'the payload holds a NUL character or an unpaired surrogate (\\u0000, \\ud800–\\udfff), which HQ cannot store',
      });
    } else {
      out.push({ ...event, payloadText });
    }
  }
  return { events: out, rejected };
}
