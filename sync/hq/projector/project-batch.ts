import { authedDeviceOf } from '../context.js';
import type { AuthedDevice } from '../context.js';
import type { HqDb, Sql } from '../db.js';
import { applyCustomerBookSafely, isCustomerBookEvent } from '../customers/apply-customer-events.js';
import { checkRefunds } from './check-refunds.js';
import { settleRedemptions } from './settle-redemptions.js';
import type { RecordedEvent } from './effects.js';
import { applyOrDeadLetter, insertDeadLetter } from './dead-letter.js';
import { projectEffects } from './project-effects.js';

/** Events one projector transaction takes off the queue at most. */
export const PROJECT_BATCH = 2000;

/** Held by whoever projects, for its transaction: one projector at a time across HQ processes, in HQ's receive order. */
const PROJECTOR_LOCK = [5317, 13] as const;

/** The reason on HQ's dead-letter list of an event HQ recorded but whose effects PostgreSQL refused. */
export const PROJECTION_REFUSED = 'projection';

/** Payloads of events this HQ process recorded, by event id (the projector then need not read them back). */
export type PayloadCache = { take(eventId: string): unknown };

type QueuedRow = {
  id: string;
  type: string;
  device_id: string;
  store_id: string;
  staff_id: string | null;
  occurred_at: string;
  received_at: string;
  receipt_code: string;
  brand: string;
};

/**
 * Projects up to PROJECT_BATCH queued events inside the caller's transaction and answers how many it
 * took off the queue. Exactly once: an event is projected only by the transaction that deletes its
 * queue row, so a projector killed mid-batch leaves the whole batch queued (its transaction never
 * committed) and the next one projects it. Projectors take turns under PROJECTOR_LOCK (across HQ
 * processes): `wait: false` (the background loop) gives up at once when another projector holds
 * it; `wait: true` (a push that must see earlier sales, tests) waits for it.
 */
export async function projectQueuedIn(sql: Sql, now: Date, options: { wait: boolean; payloads?: PayloadCache }): Promise<number> {
  if (options.wait) await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [...PROJECTOR_LOCK]);
  else {
    const [got] = await sql.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [...PROJECTOR_LOCK]);
    if (!got?.ok) return 0;
  }
  const rows = await sql.query<QueuedRow>(
    `WITH taken AS (
       DELETE FROM projection_queue
        WHERE hq_seq IN (SELECT hq_seq FROM projection_queue ORDER BY hq_seq LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING hq_seq, event_id
     )
     SELECT e.id::text AS id, e.type, e.device_id::text AS device_id, e.store_id, e.staff_id,
            sf_iso(e.occurred_at) AS occurred_at, sf_iso(e.received_at) AS received_at,
            d.receipt_code, l.brand
       FROM taken t JOIN event e ON e.id = t.event_id JOIN device d ON d.id = e.device_id JOIN location l ON l.id = d.store_id
      ORDER BY t.hq_seq`,
    [PROJECT_BATCH],
  );
  if (rows.length === 0) return 0;
  // Payloads this process recorded are still in memory; only the others are read back.
  const known = new Map<string, unknown>();
  for (const r of rows) {
    const payload = options.payloads?.take(r.id);
    if (payload !== undefined) known.set(r.id, payload);
  }
  const missing = rows.filter((r) => !known.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    const read = await sql.query<{ id: string; payload: unknown }>(
      'SELECT e.id::text AS id, sf_event_payload(e) AS payload FROM event e WHERE e.id = ANY($1::uuid[])',
      [missing],
    );
    for (const r of read) known.set(r.id, r.payload);
  }
  const events: RecordedEvent[] = rows.map((r) => ({
    id: r.id,
    type: r.type,
    payload: known.get(r.id),
    staffId: r.staff_id,
    deviceId: r.device_id,
    storeId: r.store_id,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
  }));
  await projectEvents(sql, events, devicesOf(rows), now);
  return rows.length;
}

/** What re-projecting a dead letter did: its effects written now, written by an earlier re-apply, or refused again (why). */
export type Reprojected = { outcome: 'projected' | 'already' } | { outcome: 'refused'; message: string };

/**
 * IT re-applies an event HQ's projector dead-lettered, once HQ is fixed: HQ recorded it (a push of
 * it again is a duplicate, and would write nothing), so it goes back on the projection queue, under
 * its own place in HQ's receive order, and is projected now, in one transaction that holds its
 * dead letter: two re-applies at once, or one after it succeeded, project it once.
 */
export function reprojectDeadLetter(db: HqDb, deviceId: string, eventId: string, now: Date): Promise<Reprojected> {
  return db.tx(async (sql) => {
    // The row's version: a refusal again rewrites it (insertDeadLetter's replace), whatever the clock says.
    const letter = () =>
      sql.query<{ v: string; message: string; reapply_result: string | null }>(
        'SELECT xmin::text AS v, message, reapply_result FROM dead_letter WHERE device_id = $1 AND event_id = $2 AND reason = $3 FOR UPDATE',
        [deviceId, eventId, PROJECTION_REFUSED],
      );
    const [before] = await letter();
    if (!before) throw new Error(`no dead letter ${eventId} of HQ's projector for device ${deviceId}`);
    if (before.reapply_result === 'accepted') return { outcome: 'already' };
    await sql.query(
      `INSERT INTO projection_queue (hq_seq, event_id)
       SELECT hq_seq, id FROM event WHERE id = $1::uuid AND device_id = $2::uuid AND deferred_at IS NULL
       ON CONFLICT (hq_seq) DO NOTHING`,
      [eventId, deviceId],
    );
    // Its place in the receive order is before anything queued since: the first batch takes it.
    await projectQueuedIn(sql, now, { wait: true });
    const [after] = await letter();
    if (after!.v !== before.v) return { outcome: 'refused', message: after!.message };
    // Marked in the same transaction: a re-apply waiting on the row finds it done.
    await sql.query(`UPDATE dead_letter SET reapplied_at = $3, reapply_result = 'accepted' WHERE device_id = $1 AND event_id = $2`, [
      deviceId,
      eventId,
      now,
    ]);
    return { outcome: 'projected' };
  });
}

/** Projects every queued event, a batch per transaction, waiting for any other projector: for callers that read the effects next. */
export function projectAll(db: HqDb, now: Date): Promise<number> {
  return untilEmpty(() => db.tx((sql) => projectQueuedIn(sql, now, { wait: true })));
}

/** projectAll inside the caller's transaction (a push checking a return against the sales before it). */
export function projectAllIn(sql: Sql, now: Date): Promise<number> {
  return untilEmpty(() => projectQueuedIn(sql, now, { wait: true }));
}

/** Runs `batch` until it takes nothing; answers how many it took in all. */
async function untilEmpty(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    if (n === 0) return total;
    total += n;
  }
}

/**
 * The effects of `events`, in receive order: tables set-based for the whole batch, then each
 * device's coupons, points and customer book, then the refunds checked against the sales' money. A data error in the batch (a line id another sale
 * holds) redoes it event by event under savepoints; an event whose effect PostgreSQL refuses goes
 * on HQ's dead-letter list for IT with the reason — it is still a recorded fact, never dropped.
 */
async function projectEvents(sql: Sql, events: RecordedEvent[], devices: Map<string, AuthedDevice>, now: Date): Promise<void> {
  await applyOrDeadLetter(
    sql,
    'project',
    events,
    (some) => projectSome(sql, some, devices, now),
    // Refused again after IT re-applied it (reprojectDeadLetter): the newer reason counts.
    (event, error) =>
      insertDeadLetter(sql, event, PROJECTION_REFUSED, `recorded, but HQ could not apply its effects: ${error.message}`, now, {
        replace: true,
      }),
  );
}

async function projectSome(sql: Sql, events: readonly RecordedEvent[], devices: Map<string, AuthedDevice>, now: Date): Promise<void> {
  const written = await projectEffects(sql, events, now);
  // An event whose sale or cash movement was already there (projected before) moves nothing again.
  const fresh = events.filter((e) => written.has(e.id) || (e.type !== 'sale.completed' && !e.type.startsWith('cash.')));
  // In receive order: a sale is settled and attributed after the customer-book events before it (a
  // member made on the till, then their first sale), so runs of one device are cut where a sale
  // follows a customer-book event.
  for (const run of runs(fresh)) {
    const device = devices.get(run[0]!.deviceId)!;
    await settleRedemptions(sql, device, run, now);
    await applyCustomerBookSafely(sql, device, run, now);
  }
  await checkRefunds(sql, fresh);
}

function runs(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const out: RecordedEvent[][] = [];
  let run: RecordedEvent[] = [];
  let book = false;
  for (const e of events) {
    const sale = e.type === 'sale.completed';
    if (run.length > 0 && (run[0]!.deviceId !== e.deviceId || (sale && book))) {
      out.push(run);
      run = [];
      book = false;
    }
    run.push(e);
    if (!sale && isCustomerBookEvent(e.type)) book = true;
  }
  if (run.length > 0) out.push(run);
  return out;
}

function devicesOf(rows: readonly QueuedRow[]): Map<string, AuthedDevice> {
  const out = new Map<string, AuthedDevice>();
  for (const r of rows) {
    if (!out.has(r.device_id)) out.set(r.device_id, authedDeviceOf(r.device_id, r));
  }
  return out;
}
