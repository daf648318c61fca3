import type { OutboxEvent } from '../../protocol/events/index.js';
import { isDataError } from '../db.js';
import type { Sql } from '../db.js';

/**
 * Puts a recorded event on HQ's dead-letter list for IT, with the reason and the event as the
 * device sent it (HQ's own `receivedAt`, if the event carries it, is left out: IT's re-apply takes
 * only what a device may send). An event already there keeps its first entry, unless `replace` (a
 * deferred event refused once applied: the newer reason counts).
 */
export async function insertDeadLetter(
  sql: Sql,
  event: OutboxEvent,
  reason: string,
  message: string,
  now: Date,
  options: { replace?: boolean } = {},
): Promise<void> {
  await sql.query(
    `INSERT INTO dead_letter (device_id, event_id, type, reason, message, occurred_at, rejected_at, event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
     ON CONFLICT (device_id, event_id) ${
       options.replace
         ? 'DO UPDATE SET reason = excluded.reason, message = excluded.message, rejected_at = excluded.rejected_at, event = excluded.event'
         : 'DO NOTHING'
     }`,
    [event.deviceId, event.id, event.type, reason, message.slice(0, 500), event.occurredAt, now, JSON.stringify(asSent(event))],
  );
}

/**
 * Applies `events` under a savepoint; on a data error (something PostgreSQL refuses) rolls back
 * and redoes them one by one, each under its own savepoint, and hands each one still refused to
 * `refused` (which dead-letters it): the events are recorded facts, so one bad effect neither
 * fails the others nor is dropped silently. Any other error is thrown.
 */
export async function applyOrDeadLetter<E extends OutboxEvent>(
  sql: Sql,
  name: string,
  events: readonly E[],
  apply: (some: readonly E[]) => Promise<void>,
  refused: (event: E, error: Error) => Promise<void>,
): Promise<void> {
  await sql.query(`SAVEPOINT ${name}_batch`);
  try {
    await apply(events);
    await sql.query(`RELEASE SAVEPOINT ${name}_batch`);
    return;
  } catch (error) {
    if (!isDataError(error)) throw error;
    await sql.query(`ROLLBACK TO SAVEPOINT ${name}_batch`);
  }
  for (const event of events) {
    await sql.query(`SAVEPOINT ${name}_event`);
    try {
      await apply([event]);
      await sql.query(`RELEASE SAVEPOINT ${name}_event`);
    } catch (error) {
      if (!isDataError(error)) throw error;
      await sql.query(`ROLLBACK TO SAVEPOINT ${name}_event`);
      await refused(event, error as Error);
    }
  }
}

function asSent(event: OutboxEvent & { receivedAt?: unknown }): OutboxEvent {
  const { receivedAt: _receivedAt, ...sent } = event;
  return sent;
}
