import { z } from 'zod';

/**
 * What HQ accepts in a pushed event's payload, per type. HQ applies `sale.completed` and
 * `cash.*` (so their payloads are checked field by field: a bad one would corrupt sales or
 * cash-up at HQ); till, staff and device events are only recorded, so an object is enough.
 * Schemas are not strict: a newer device may add fields, and HQ keeps the whole payload.
 */
const fen = z.number().int().min(-1e12).max(1e12);
const id = z.string().min(1).max(64);
const iso = z.iso.datetime();

export const saleCompletedSchema = z.object({
  saleId: id,
  receiptNo: z.string().min(1).max(64),
  kind: z.enum(['sale', 'return', 'exchange']),
  businessDay: z.iso.date(),
  tillSessionId: id,
  staffId: id,
  customerId: id.nullable(),
  originalSaleId: id.nullable(),
  lines: z
    .array(
      z.object({
        lineId: id,
        sku: z.string().min(1).max(64),
        qty: z.number().int().min(-100_000).max(100_000),
        unitFen: fen,
        totalFen: fen,
      }),
    )
    .max(1000),
  tenders: z.array(z.object({ method: z.string().min(1).max(32), amountFen: fen, reference: z.string().max(200).nullable() })).max(100),
  totals: z.object({ totalFen: fen, netFen: fen }),
  offline: z.boolean(),
  createdAt: iso,
});
export type SaleCompleted = z.infer<typeof saleCompletedSchema>;

export const cashMovementSchema = z.object({
  id,
  sessionId: id,
  amountFen: fen,
  reason: z.string().max(500),
  approvedBy: id.nullable(),
});

const recorded = z.record(z.string(), z.unknown());

/** Exact event types with their payload schema. */
const EXACT: Record<string, z.ZodType> = {
  'sale.completed': saleCompletedSchema,
  'cash.paid_in': cashMovementSchema,
  'cash.paid_out': cashMovementSchema,
  'cash.no_sale': cashMovementSchema,
  'till.opened': recorded,
  'till.closed': recorded,
};
/** Audit families HQ records whatever their subtype (new audits must not dead-letter on an older HQ). */
const FAMILIES = ['staff.', 'device.'];

/** The payload schema of a type HQ knows, or null (→ rejected unknown_type). */
export function payloadSchemaOf(type: string): z.ZodType | null {
  const exact = EXACT[type];
  if (exact) return exact;
  return FAMILIES.some((f) => type.startsWith(f)) ? recorded : null;
}
