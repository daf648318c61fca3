import type { OutboxEvent } from '../../protocol/events/index.js';
import { payloadSchemaOf } from '../../protocol/events/index.js';
import type { PushRejectReason, PushRequest } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import { HqHttpError } from '../http-error.js';

export type Rejection = { reason: PushRejectReason; message: string };

/**
 * The checks that need no database: the envelope must be the signing device (else the whole
 * push is refused and nothing is written), each event of its store, of a known type with a
 * valid payload. Returns the staff ids the remaining events name (checked in the transaction).
 */
export function checkEvents(
  device: AuthedDevice,
  request: PushRequest,
): { rejected: Map<string, Rejection>; staffIds: Map<string, string[]> } {
  if (request.deviceId !== device.id || request.storeId !== device.storeId) {
    throw new HqHttpError(403, 'forbidden', 'a device pushes only its own events, for its own store');
  }
  const rejected = new Map<string, Rejection>();
  const staffIds = new Map<string, string[]>();
  for (const event of request.events) {
    if (event.deviceId !== device.id) throw new HqHttpError(403, 'forbidden', `event ${event.id} names another device`);
    const problem = problemOf(device, event);
    if (problem) {
      rejected.set(event.id, problem);
      continue;
    }
    const named = new Set<string>();
    if (event.staffId !== null) named.add(event.staffId);
    const payloadStaff = (event.payload as { staffId?: unknown } | null)?.staffId;
    if (event.type === 'sale.completed' && typeof payloadStaff === 'string') named.add(payloadStaff);
    if (named.size > 0) staffIds.set(event.id, [...named]);
  }
  return { rejected, staffIds };
}

function problemOf(device: AuthedDevice, event: OutboxEvent): Rejection | null {
  if (event.storeId !== device.storeId)
    return {
      reason: 'foreign_store',
      message: `the event is for store ${event.storeId.slice(0, 64)}, this device is of ${device.storeId}`,
    };
  // PostgreSQL text cannot hold NUL: say so here rather than fail the statement.
  if (event.staffId?.includes('\u0000')) return { reason: 'bad_payload', message: 'the staff id contains a NUL character' };
  const schema = payloadSchemaOf(event.type);
  if (!schema) return { reason: 'unknown_type', message: `HQ does not know events of type ${event.type}` };
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: 'bad_payload', message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`.slice(0, 500) };
  }
  return null;
}
