import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { PushRequest, PushResult } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import { isDataError, sqlState } from '../db.js';
import type { HqDb, Sql } from '../db.js';
import { checkEvents } from './check-events.js';
import type { Claims, EventTypes, Rejection } from './check-events.js';
import { checkFacts } from './check-facts.js';
import { recordBatch, storable } from './record-batch.js';
import type { StorableEvent } from './record-batch.js';
import { projectAll, projectAllIn } from '../projector/project-batch.js';
import { PROJECT_CHANNEL } from '../projector/projector.js';

/**
 * Records a device's push exactly once, in one transaction, and answers: the events are checked
 * (schema, arithmetic, then staff, approvers, receipt numbers and returns against HQ's records)
 * and go into `event` and the projection queue in one statement (record-batch.ts); HQ's projector
 * writes their effects later, in its own transactions (sync/hq/projector). If the batch fails (a
 * receipt number another event holds, a value PostgreSQL refuses), it is rolled back to a
 * savepoint and redone event by event, each under its own savepoint, so the bad event is rejected
 * with its reason and the others still go in.
 *
 * The answer lists every event of the request, in request order: the device removes an event
 * only after its answer. Throws HqHttpError 403 (nothing written) for another device's events.
 */
export async function recordPush(
  db: HqDb,
  device: AuthedDevice,
  request: PushRequest,
  now: Date,
  types?: EventTypes,
): Promise<PushResult[]> {
  return db.tx((sql) => applyPushIn(sql, device, request, now, types));
}

/**
 * recordPush, then projects everything queued before answering: for callers that read the
 * effects next (IT re-applying a dead letter, tests of the push's effects).
 */
export async function applyPush(
  db: HqDb,
  device: AuthedDevice,
  request: PushRequest,
  now: Date,
  types?: EventTypes,
): Promise<PushResult[]> {
  const results = await recordPush(db, device, request, now, types);
  await projectAll(db, now);
  return results;
}

/** recordPush inside a transaction the caller holds (the push route's, or an upgraded HQ re-applying deferred events). */
export async function applyPushIn(
  sql: Sql,
  device: AuthedDevice,
  request: PushRequest,
  now: Date,
  types?: EventTypes,
): Promise<PushResult[]> {
  const { rejected, deferred, claims } = checkEvents(device, request, types);
  // The same id twice in one request: the first counts, the rest are duplicates of it.
  const seen = new Set<string>();
  const candidates: OutboxEvent[] = [];
  for (const event of request.events) {
    if (seen.has(event.id) || rejected.has(event.id)) continue;
    seen.add(event.id);
    candidates.push(event);
  }

  // One pusher per device across HQ processes (this process also queues per device).
  await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [device.id]);
  // A return is checked against the sale it takes back and the returns before it: those must be
  // projected first (returns are rare; a push of sales never waits for the projector).
  if ([...claims.values()].some((c) => c.takesBack !== null)) await projectAllIn(sql, now);
  // What PostgreSQL cannot store is refused before the facts are checked, and goes no further: the
  // checks send its staff and sale ids to PostgreSQL, which would fail the whole push on them; and
  // a return may not take back a sale refused so.
  const checked = storable(candidates.filter((e) => !rejected.has(e.id)));
  for (const [id, rejection] of checked.rejected) rejected.set(id, rejection);
  await checkFacts(sql, device, checked.events, claims, rejected);
  const valid = checked.events.filter((e) => !rejected.has(e.id));
  const failed = new Map<string, Rejection>();
  let inserted: Set<string>;
  await sql.query('SAVEPOINT push_batch');
  try {
    inserted = await recordBatch(sql, device.id, valid, now, deferred);
    await sql.query('RELEASE SAVEPOINT push_batch');
  } catch (error) {
    if (!isDataError(error)) throw error;
    await sql.query('ROLLBACK TO SAVEPOINT push_batch');
    inserted = await applyOneByOne(sql, device, valid, claims, now, failed, deferred);
  }
  // Other HQ processes' projectors hear of it at commit (this process's is woken by its route).
  if ([...inserted].some((id) => !deferred.has(id))) await sql.query(`SELECT pg_notify($1, '')`, [PROJECT_CHANNEL]);
  // An event HQ already has is a duplicate even if it would be rejected today: the device must
  // not dead-letter what HQ recorded.
  const refused = [...rejected.keys(), ...failed.keys()];
  const known = refused.length === 0 ? new Set<string>() : await existing(sql, refused);

  const answered = new Set<string>();
  return request.events.map((event): PushResult => {
    const first = !answered.has(event.id);
    answered.add(event.id);
    if (known.has(event.id)) return { id: event.id, status: 'duplicate' };
    const rejection = rejected.get(event.id) ?? failed.get(event.id);
    if (rejection) return { id: event.id, status: 'rejected', reason: rejection.reason, message: rejection.message };
    if (!first || !inserted.has(event.id)) return { id: event.id, status: 'duplicate' };
    if (deferred.has(event.id)) {
      return { id: event.id, status: 'deferred', message: `HQ keeps it and applies it once it knows events of type ${event.type}` };
    }
    return { id: event.id, status: 'accepted' };
  });
}

/**
 * Records `events` one at a time, in push order, each under a savepoint: an event PostgreSQL
 * refuses (a receipt number another event holds) is refused alone. A return of a sale of the same
 * push that was refused so is refused too, unless HQ holds a sale of that id: the check let it
 * take back the push's sale, which HQ has not.
 */
async function applyOneByOne(
  sql: Sql,
  device: AuthedDevice,
  events: StorableEvent[],
  claims: ReadonlyMap<string, Claims>,
  now: Date,
  failed: Map<string, Rejection>,
  deferred: ReadonlySet<string>,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  const refusedSales = new Set<string>();
  for (const event of events) {
    const original = claims.get(event.id)?.takesBack?.originalSaleId;
    if (original !== undefined && refusedSales.has(original) && !(await saleAtHq(sql, original))) {
      failed.set(event.id, { reason: 'bad_payload', message: `the original sale ${original.slice(0, 64)} was refused in this push` });
      continue;
    }
    await sql.query('SAVEPOINT push_event');
    try {
      const ids = await recordBatch(sql, device.id, [event], now, deferred);
      await sql.query('RELEASE SAVEPOINT push_event');
      for (const id of ids) inserted.add(id);
    } catch (error) {
      if (!isDataError(error)) throw error;
      await sql.query('ROLLBACK TO SAVEPOINT push_event');
      failed.set(event.id, rejectionOf(error));
      if (event.type === 'sale.completed') refusedSales.add((event.payload as SaleCompleted).saleId);
    }
  }
  return inserted;
}

/** Whether HQ holds sale `id` (projected: a push with a return projects what is queued first). */
async function saleAtHq(sql: Sql, id: string): Promise<boolean> {
  return (await sql.query('SELECT 1 FROM sale WHERE id = $1', [id])).length > 0;
}

async function existing(sql: Sql, ids: string[]): Promise<Set<string>> {
  const rows = await sql.query<{ id: string }>('SELECT id::text AS id FROM event WHERE id = ANY($1::uuid[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

function rejectionOf(error: unknown): Rejection {
  const state = sqlState(error);
  const text = error instanceof Error ? error.message : String(error);
  const detail =
    typeof error === 'object' && error !== null && typeof (error as { detail?: unknown }).detail === 'string'
      ? ` (${(error as { detail: string }).detail})`
      : '';
  // A unique violation means another event already holds this sale or receipt number.
  return state.startsWith('23')
    ? { reason: state === '23505' ? 'conflict' : 'bad_payload', message: `${text}${detail}`.slice(0, 500) }
    : { reason: 'bad_payload', message: text.slice(0, 500) };
}
