import type { z } from 'zod';
import { AUDIT_FAMILIES, anyAuditPayload, deviceEventSchemas, staffEventSchemas } from './audit.js';
import { cashMovementSchema, tillClosedSchema, tillOpenedSchema } from './cash.js';
import { saleCompletedSchema } from './sale.js';
import { customerEventSchemas } from './customer.js';

export { outboxEventSchema } from './envelope.js';
export type { OutboxEvent, StoredEvent } from './envelope.js';
export * from './sale.js';
export * from './cash.js';
export * from './customer.js';

/**
 * Every event type a device writes, with the one schema of its payload. The device writes a
 * payload of `EventPayload<type>` (checked by the compiler in `writeChange`); HQ validates what
 * it receives with the same schema before recording or applying it.
 */
export const EVENT_SCHEMAS = {
  'sale.completed': saleCompletedSchema,
  'cash.paid_in': cashMovementSchema,
  'cash.paid_out': cashMovementSchema,
  'cash.no_sale': cashMovementSchema,
  'till.opened': tillOpenedSchema,
  'till.closed': tillClosedSchema,
  ...staffEventSchemas,
  ...deviceEventSchemas,
  // The customer book (issue 11).
  ...customerEventSchemas,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
/** What a device writes as the payload of an event of `type`. */
export type EventPayload<T extends EventType> = z.input<(typeof EVENT_SCHEMAS)[T]>;

/** Event types HQ applies (they move money or stock); all others are recorded. */
export const APPLIED_TYPES = ['sale.completed', 'cash.paid_in', 'cash.paid_out', 'cash.no_sale'] as const satisfies readonly EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

/** The payload schema of a type this version knows, or null (→ HQ rejects it as `unknown_type`). */
export function payloadSchemaOf(type: string): z.ZodType | null {
  if (isEventType(type)) return EVENT_SCHEMAS[type];
  return AUDIT_FAMILIES.some((f) => type.startsWith(f)) ? anyAuditPayload : null;
}
