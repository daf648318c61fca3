import type { OutboxEvent } from '../../protocol/events/index.js';
import type { Sql } from '../db.js';

/**
 * Records a batch of checked events in ONE statement and queues the new ones for HQ's projector
 * (sync/hq/projector): `event` gets `ON CONFLICT (id) DO NOTHING RETURNING id`, and only the rows
 * that insert returned go into `projection_queue` — an event HQ already had is neither recorded
 * nor queued again, so exactly once holds inside the statement. The events travel as one JSON
 * parameter parsed once into the stored jsonb (one text parameter is cheaper than a text[] of
 * payloads, whose every quote the driver escapes).
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
  events: readonly OutboxEvent[],
  now: Date,
  /** Events of a type this HQ does not know yet: recorded with `deferred_at`, not queued for projection. */
  deferred: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at, received_at, deferred_at)
       SELECT x.id, x.type, $1::uuid, x."storeId", x."staffId", x.payload, x."occurredAt", $2::timestamptz,
              CASE WHEN x.id = ANY($3::uuid[]) THEN $2::timestamptz END
         FROM jsonb_to_recordset($4::jsonb) AS x(id uuid, type text, "storeId" text, "staffId" text, payload jsonb, "occurredAt" timestamptz)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, hq_seq, deferred_at
     ), queued AS (
       INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM ins WHERE deferred_at IS NULL
     )
     SELECT id::text AS id FROM ins`,
    [deviceId, now.toISOString(), [...deferred], JSON.stringify(events)],
  );
  return new Set(rows.map((r) => r.id));
}
