import type { DeadLetterAnswer, DeadLetterReport } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { HqHttpError } from '../http-error.js';

/**
 * Records what a device put on its dead-letter list (for IT); a report sent twice updates in place
 * (an item without its event keeps the one HQ has). Answers how many, and which of the reported
 * events IT has since re-applied and HQ now holds: the device takes those off its list.
 */
export async function recordDeadLetters(db: HqDb, deviceId: string, report: DeadLetterReport): Promise<DeadLetterAnswer> {
  // PostgreSQL text cannot hold NUL; anything else was checked by the schema.
  if (report.items.some((i) => [i.id, i.type, i.reason, i.message].some((t) => t.includes('\u0000'))))
    throw new HqHttpError(400, 'bad_request', 'a dead letter contains a NUL character');
  // A device reports only its own events (they are re-applied as its pushes).
  if (report.items.some((i) => i.event && (i.event.deviceId !== deviceId || i.event.id !== i.id)))
    throw new HqHttpError(403, 'forbidden', "a dead letter's event is another device's or another event");
  // The upsert leaves reapply_result as it was: what it returns says which events IT has re-applied.
  const rows = await db.query<{ id: string; resolved: boolean | null }>(
    `INSERT INTO dead_letter (device_id, event_id, type, reason, message, occurred_at, rejected_at, event)
     SELECT DISTINCT ON (x.id) $2::uuid, x.id, x.type, x.reason, x.message, x."occurredAt", x."rejectedAt", x.event
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, reason text, message text, "occurredAt" timestamptz, "rejectedAt" timestamptz, event jsonb)
     ON CONFLICT (device_id, event_id) DO UPDATE
       SET type = excluded.type, reason = excluded.reason, message = excluded.message, occurred_at = excluded.occurred_at,
           rejected_at = excluded.rejected_at, event = coalesce(excluded.event, dead_letter.event), reported_at = now()
     RETURNING event_id::text AS id, reapply_result IN ('accepted', 'duplicate') AS resolved`,
    // jsonb cannot hold a NUL either: such an event (likely why it was rejected) is kept without its body.
    [
      JSON.stringify(report.items.map((i) => (i.event && JSON.stringify(i.event).includes('\\u0000') ? { ...i, event: undefined } : i))),
      deviceId,
    ],
  );
  return { recorded: rows.length, resolved: rows.filter((r) => r.resolved).map((r) => r.id) };
}
