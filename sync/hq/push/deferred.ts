import type { OutboxEvent } from '../../protocol/events/index.js';
import { payloadSchemaOf } from '../../protocol/events/index.js';
import { authedDeviceOf } from '../context.js';
import type { HqLog } from '../context.js';
import type { HqDb } from '../db.js';
import { applyPushIn } from './apply-push.js';
import { insertDeadLetter } from '../projector/dead-letter.js';
import { projectAll } from '../projector/project-batch.js';
import type { EventTypes } from './check-events.js';

type DeferredRow = {
  id: string;
  type: string;
  device_id: string;
  store_id: string;
  staff_id: string | null;
  payload: unknown;
  occurred_at: string;
  receipt_code: string;
  brand: string;
};

export type DeferredOutcome = { applied: number; rejected: number; waiting: number };

/**
 * Applies the events HQ recorded without knowing their type (a newer device during a rolling
 * upgrade), now that this HQ knows it: per device, in the order they arrived, each event is taken
 * out of `event` and pushed again inside the same transaction — the same checks and effects as a
 * push. What is still unknown keeps waiting. One the checks now refuse was already answered as
 * kept, so it cannot go back to its device: it lands on HQ's dead-letter list with the reason, for
 * IT, with the event itself (and can be re-applied from there once fixed).
 */
export async function applyDeferred(db: HqDb, now: Date, log: HqLog, types: EventTypes = payloadSchemaOf): Promise<DeferredOutcome> {
  const rows = await db.query<DeferredRow>(
    `SELECT e.id::text AS id, e.type, e.device_id::text AS device_id, e.store_id, e.staff_id, sf_event_payload(e) AS payload,
            sf_iso(e.occurred_at) AS occurred_at, d.receipt_code, l.brand
       FROM event e JOIN device d ON d.id = e.device_id JOIN location l ON l.id = d.store_id
      WHERE e.deferred_at IS NOT NULL ORDER BY e.hq_seq`,
  );
  const outcome: DeferredOutcome = { applied: 0, rejected: 0, waiting: 0 };
  const byDevice = new Map<string, DeferredRow[]>();
  for (const row of rows) {
    if (!types(row.type)) {
      outcome.waiting++;
      continue;
    }
    const list = byDevice.get(row.device_id) ?? [];
    list.push(row);
    byDevice.set(row.device_id, list);
  }
  for (const [deviceId, list] of byDevice) {
    const device = authedDeviceOf(deviceId, list[0]!);
    const events: OutboxEvent[] = list.map((r) => ({
      id: r.id,
      type: r.type,
      payload: r.payload,
      staffId: r.staff_id,
      deviceId,
      storeId: r.store_id,
      occurredAt: r.occurred_at,
    }));
    // Counted once committed: db.tx runs the function again when PostgreSQL ends the transaction.
    const results = await db.tx(async (sql) => {
      // Only what is still deferred: another HQ process starting at the same time may have applied it (its row lock makes this wait).
      const taken = await sql.query<{ id: string }>(
        'DELETE FROM event WHERE id = ANY($1::uuid[]) AND deferred_at IS NOT NULL RETURNING id::text AS id',
        [events.map((e) => e.id)],
      );
      const still = new Set(taken.map((r) => r.id));
      const mine = events.filter((e) => still.has(e.id));
      if (mine.length === 0) return [];
      const answered = await applyPushIn(sql, device, { deviceId, storeId: device.storeId, events: mine }, now, types);
      for (const result of answered) {
        if (result.status !== 'rejected') continue;
        const event = mine.find((e) => e.id === result.id)!;
        await insertDeadLetter(sql, event, result.reason, `deferred, then refused once applied: ${result.message}`, now, {
          replace: true,
        });
      }
      return answered;
    });
    for (const result of results) {
      if (result.status === 'rejected') outcome.rejected++;
      else outcome.applied++;
    }
  }
  // Their effects, before HQ starts answering (the projector would get to them too, a little later).
  if (outcome.applied > 0) await projectAll(db, now);
  if (rows.length > 0) log('deferred events', outcome);
  return outcome;
}
