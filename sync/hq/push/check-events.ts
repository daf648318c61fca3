import type { z } from 'zod';
import type { CashMovement, OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import { APPLIED_TYPES, payloadSchemaOf, saleCompletedSchema } from '../../protocol/events/index.js';
import { surelySaleCompleted } from '../../protocol/events/sale-fast-check.js';
import { fromYearOne } from '../../protocol/events/fields.js';
import type { PushRejectReason, PushRequest } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import { isCustomerBookEvent } from '../customers/apply-customer-events.js';
import { HqHttpError } from '../http-error.js';
import { storableText } from '../pg-arrays.js';
import { saleProblem } from './sale-rules.js';
import { originalLinesRefundFen } from '../../protocol/refund-sources.js';

export type Rejection = { reason: PushRejectReason; message: string };

/** The payload schema HQ validates an event type with (null: HQ does not know the type yet). Injected where tests play an older HQ. */
export type EventTypes = (type: string) => z.ZodType | null;

/** What the checks in the transaction need of an event that passed the ones here. */
export type Claims = {
  /** Staff the event names, who must have belonged to the store when it happened. */
  staff: string[];
  /** A manager who approved it (a cash movement), who must have been a manager of the store then. */
  approvedBy: string | null;
  /** A sale's receipt number, whose store and device parts must be the pushing device's. */
  receiptNo: string | null;
  /** A return's original sale and what it takes back of it. */
  takesBack: { originalSaleId: string; refundFen: number; lines: { originalLineId: string; qty: number }[] } | null;
};

export type Checked = {
  rejected: Map<string, Rejection>;
  /** Events of a type HQ does not know yet: recorded, applied once HQ knows the type. */
  deferred: Set<string>;
  claims: Map<string, Claims>;
};

const APPLIED: ReadonlySet<string> = new Set(APPLIED_TYPES);

/**
 * The checks that need no database: the envelope must be the signing device (else the whole
 * push is refused and nothing is written), each event of its store, with a valid payload of a
 * type HQ knows — or deferred when HQ does not know the type yet — and a sale's arithmetic must
 * add up. Returns what each remaining event claims, checked in the transaction.
 */
export function checkEvents(device: AuthedDevice, request: PushRequest, types: EventTypes = payloadSchemaOf): Checked {
  if (request.deviceId !== device.id || request.storeId !== device.storeId) {
    throw new HqHttpError(403, 'forbidden', 'a device pushes only its own events, for its own store');
  }
  const rejected = new Map<string, Rejection>();
  const deferred = new Set<string>();
  const claims = new Map<string, Claims>();
  // The same id twice in one request: the first copy is the one HQ records, so it is the one judged.
  const seen = new Set<string>();
  for (const event of request.events) {
    if (event.deviceId !== device.id) throw new HqHttpError(403, 'forbidden', `event ${event.id} names another device`);
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const schema = types(event.type);
    const problem = envelopeProblem(device, event) ?? (schema ? payloadProblem(schema, event) : null);
    if (problem) rejected.set(event.id, problem);
    else if (!schema) deferred.add(event.id);
    else claims.set(event.id, claimsOf(event));
  }
  return { rejected, deferred, claims };
}

function envelopeProblem(device: AuthedDevice, event: OutboxEvent): Rejection | null {
  if (event.storeId !== device.storeId) {
    return {
      reason: 'foreign_store',
      message: `the event is for store ${event.storeId.slice(0, 64)}, this device is of ${device.storeId}`,
    };
  }
  // What PostgreSQL's text cannot hold as it is: say so here rather than fail the statement or store it altered.
  for (const [field, value] of [
    ['staff id', event.staffId],
    ['type', event.type],
  ] as const) {
    if (value !== null && !storableText(value)) {
      return { reason: 'bad_payload', message: `the ${field} contains a NUL character or an unpaired surrogate` };
    }
  }
  // The ISO form the envelope's schema takes has a year 0000, PostgreSQL's timestamptz has not: the
  // staff check, one statement for the whole push, would fail every event of it on this one.
  if (!fromYearOne(event.occurredAt)) {
    return { reason: 'bad_payload', message: `occurredAt: ${event.occurredAt} is before the year 1, which HQ cannot store` };
  }
  // The customer book acts for a staff member (and applies nothing without one): a phone reveal or
  // a note nobody made would be accepted and then neither audited nor recorded.
  if (event.staffId === null && isCustomerBookEvent(event.type)) {
    return { reason: 'bad_payload', message: `a ${event.type.slice(0, 64)} event names the staff member who made it` };
  }
  return null;
}

function payloadProblem(schema: z.ZodType, event: OutboxEvent): Rejection | null {
  // A till's sale passes the fast check (a fifth of HQ's push time was this schema); anything it is not sure of goes to the schema.
  const surely = schema === saleCompletedSchema && surelySaleCompleted(event.payload);
  const parsed = surely ? null : schema.safeParse(event.payload);
  if (parsed && !parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: 'bad_payload', message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`.slice(0, 500) };
  }
  if (event.type === 'sale.completed') {
    const problem = saleProblem(event.payload as SaleCompleted);
    if (problem) return { reason: 'bad_payload', message: `the sale does not add up: ${problem}`.slice(0, 500) };
  }
  return null;
}

function claimsOf(event: OutboxEvent): Claims {
  const staff = new Set<string>();
  if (event.staffId !== null) staff.add(event.staffId);
  const out: Claims = { staff: [], approvedBy: null, receiptNo: null, takesBack: null };
  if (event.type === 'sale.completed') {
    const sale = event.payload as SaleCompleted;
    staff.add(sale.staffId);
    out.receiptNo = sale.receiptNo;
    const lines = sale.lines.flatMap((l) =>
      l.qty < 0 && l.originalLineId !== null ? [{ originalLineId: l.originalLineId, qty: -l.qty }] : [],
    );
    // What it takes back of the original: lines returned without a receipt beside them were paid in cash.
    if (sale.originalSaleId !== null)
      out.takesBack = { originalSaleId: sale.originalSaleId, refundFen: originalLinesRefundFen(sale.lines), lines };
  } else if (APPLIED.has(event.type)) {
    out.approvedBy = (event.payload as CashMovement).approvedBy;
  }
  out.staff = [...staff];
  return out;
}
