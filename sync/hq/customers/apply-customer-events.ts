import type {
  AssignRequested,
  BindRequested,
  ConsentChanged,
  Contacted,
  MemberCreated,
  NoteAdded,
  OutboxEvent,
  PhoneRevealed,
  TagChange,
  TaskDone,
  TaskSnoozed,
} from '../../protocol/events/index.js';
import type { AuthedDevice } from '../context.js';
import type { Sql } from '../db.js';
import { applyOrDeadLetter, insertDeadLetter } from '../projector/dead-letter.js';
import { countResult, createMember, decideAssign, decideBind } from './bindings.js';
import type { RequestContext } from './bindings.js';
import { attributeSales } from './sale-attribution.js';

type Handler = (sql: Sql, e: OutboxEvent, r: RequestContext) => Promise<unknown>;

/** The customer's store at HQ, when it is the device's (a customer moved elsewhere since is no longer this store's to change). */
const OWN = `SELECT id, store_id FROM customer WHERE id = $1 AND store_id = $2`;

/**
 * Logs a contact with the customer, and the task it was for where that task is the customer's: a
 * contact with one customer does not work another customer's task (a guide's monthly count of
 * tasks done reads them).
 */
async function addContact(sql: Sql, e: OutboxEvent, r: RequestContext, c: Omit<Contacted, 'taskId'>, taskId: string | null): Promise<void> {
  await sql.query(
    `INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at)
     SELECT $3, c.id, c.store_id, $4, $5, $6, t.id, $8, $9 FROM (${OWN}) AS c
       LEFT JOIN customer_task AS t ON t.id = $7 AND t.customer_id = c.id
     ON CONFLICT (id) DO NOTHING`,
    [c.customerId, r.storeId, c.contactId, e.staffId ?? '', c.channel, c.outcome, taskId, c.note, e.occurredAt],
  );
}

const HANDLERS: Record<string, Handler> = {
  'customer.bind_requested': (sql, e, r) => {
    const p = e.payload as BindRequested;
    return decideBind(sql, { ...r, requestId: p.requestId }, p.customerId);
  },
  'customer.member_created': (sql, e, r) => {
    const p = e.payload as MemberCreated;
    return createMember(sql, { ...r, requestId: p.requestId }, p);
  },
  'customer.assign_requested': (sql, e, r) => {
    const p = e.payload as AssignRequested;
    return decideAssign(sql, { ...r, requestId: p.requestId }, p.customerId, p.toGuideId);
  },
  'customer.note_added': (sql, e, r) => {
    const p = e.payload as NoteAdded;
    return sql.query(
      `INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at)
       SELECT $3, c.id, c.store_id, $4, $5, $6 FROM (${OWN}) AS c ON CONFLICT (id) DO NOTHING`,
      [p.customerId, r.storeId, p.noteId, e.staffId ?? '', p.body, e.occurredAt],
    );
  },
  'customer.tag_added': (sql, e, r) => {
    const p = e.payload as TagChange;
    return sql.query(
      `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_by, added_at)
       SELECT c.id, $3, c.store_id, 'manual', $4, $5 FROM (${OWN}) AS c ON CONFLICT (customer_id, tag) DO NOTHING`,
      [p.customerId, r.storeId, p.tag, e.staffId, e.occurredAt],
    );
  },
  'customer.tag_removed': (sql, e, r) => {
    const p = e.payload as TagChange;
    return sql.query(`DELETE FROM customer_tag WHERE customer_id = $1 AND store_id = $2 AND tag = $3 AND source = 'manual'`, [
      p.customerId,
      r.storeId,
      p.tag,
    ]);
  },
  'customer.contacted': (sql, e, r) => {
    const p = e.payload as Contacted;
    return addContact(sql, e, r, p, p.taskId);
  },
  'customer.consent_changed': (sql, e, r) => {
    const p = e.payload as ConsentChanged;
    return sql.query(
      `UPDATE customer_profile SET consent = CASE WHEN $3 THEN true ELSE consent END, opted_out = NOT $3, updated_at = $4
        WHERE customer_id = $1 AND store_id = $2`,
      [p.customerId, r.storeId, p.consent, r.now],
    );
  },
  'customer.phone_revealed': (sql, e, r) => {
    const p = e.payload as PhoneRevealed;
    return sql.query(
      `INSERT INTO customer_reveal (event_id, customer_id, store_id, staff_id, device_id, reason, purpose, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (event_id) DO NOTHING`,
      [e.id, p.customerId, r.storeId, e.staffId, e.deviceId, p.reason, p.purpose, e.occurredAt],
    );
  },
  'customer.task_done': async (sql, e, r) => {
    const p = e.payload as TaskDone;
    await addContact(sql, e, r, p.contact, p.taskId);
    // Only a task still open counts: two devices completing the same task count it once. And only
    // by a contact with the task's customer: the contact is logged either way (it happened).
    const done = await sql.query(
      `UPDATE customer_task SET status = 'done', outcome = $3, channel = $4, done_by = $5, done_at = $6
        WHERE id = $1 AND store_id = $2 AND customer_id = $7 AND status IN ('open', 'snoozed') RETURNING 1`,
      [p.taskId, r.storeId, p.contact.outcome, p.contact.channel, e.staffId, e.occurredAt, p.contact.customerId],
    );
    if (done.length > 0 && e.staffId) await countResult(sql, e.staffId, e.occurredAt, 'tasks_done');
  },
  'customer.task_snoozed': (sql, e, r) => {
    const p = e.payload as TaskSnoozed;
    return sql.query(
      `UPDATE customer_task SET status = 'snoozed', snoozed_until = $3 WHERE id = $1 AND store_id = $2 AND status IN ('open', 'snoozed')`,
      [p.taskId, r.storeId, p.until],
    );
  },
};

export function isCustomerBookEvent(type: string): boolean {
  return Object.hasOwn(HANDLERS, type);
}

/**
 * The customer book's effects of recorded events, exactly once (the projector passes only events
 * it took off the projection queue), in HQ's receive order, inside the projector's transaction:
 * requests are decided (bindings race by this order), notes, tags, contacts, consent, reveals and
 * tasks are recorded, and sales are attributed. Staff and store were checked with the push.
 */
export async function applyCustomerBook(sql: Sql, device: AuthedDevice, events: readonly OutboxEvent[], now: Date): Promise<void> {
  await attributeSales(sql, device.storeId, events);
  for (const e of events) {
    const handler = HANDLERS[e.type];
    if (!handler || e.staffId === null) continue;
    const r: RequestContext = {
      requestId: e.id,
      storeId: device.storeId,
      staffId: e.staffId,
      requestedAt: e.occurredAt,
      eventId: e.id,
      now,
    };
    await handler(sql, e, r);
  }
}

/**
 * applyCustomerBook under a savepoint, in the projector's transaction. The events are already
 * recorded (and were answered as accepted), so an effect PostgreSQL refuses (data HQ cannot take)
 * must not fail the rest of the projection: the batch is redone event by event, and an event whose
 * effect is refused goes on HQ's dead-letter list with the reason and the event itself, for IT —
 * never dropped silently.
 */
export async function applyCustomerBookSafely(sql: Sql, device: AuthedDevice, events: readonly OutboxEvent[], now: Date): Promise<void> {
  const mine = events.filter((e) => e.type === 'sale.completed' || isCustomerBookEvent(e.type));
  if (mine.length === 0) return;
  await applyOrDeadLetter(
    sql,
    'customer_book',
    mine,
    (some) => applyCustomerBook(sql, device, some, now),
    (e, error) => insertDeadLetter(sql, e, 'customer_book', `recorded, but its customer-book effect was refused: ${error.message}`, now),
  );
}
