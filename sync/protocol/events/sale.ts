import { z } from 'zod';
import { count, fen, id, iso, isoDate } from './fields.js';

/**
 * `sale.completed`: a sale, return or exchange as it happened on the till — written by the device
 * in the transaction that commits the sale (main/checkout/sale-commit.ts), validated and applied
 * by HQ (sync/hq/push) with this same schema. Returned lines carry negative quantities and totals,
 * refunds are negative tenders. Objects are not strict: a newer device may add fields, which an
 * older HQ keeps in the stored payload without reading them.
 */
export const saleLineSchema = z.object({
  lineId: id,
  sku: z.string().min(1).max(64),
  /** Negative for a returned unit. */
  qty: z.number().int().min(-100_000).max(100_000),
  listUnitFen: fen,
  unitFen: fen,
  discountFen: fen,
  totalFen: fen,
  promotions: z.array(z.object({ id, discountFen: fen })).max(50),
  /** The sold line a return line takes back; null on a sold line and on a no-receipt return. */
  originalLineId: id.nullable(),
});

export const saleTenderSchema = z.object({
  /** `cash`, `card`, `external`, `wechat`, `alipay` today; text so a newer device's method is not refused as malformed. */
  method: z.string().min(1).max(32),
  /** Negative: money paid back (a refund). */
  amountFen: fen,
  reference: z.string().max(200).nullable(),
  providerRef: z.string().max(200).nullable(),
  /** A refund paid in cash (a manager approved) although the money came from this method. */
  insteadOf: z.string().min(1).max(32).optional(),
});

export const saleCompletedSchema = z.object({
  saleId: id,
  receiptNo: z.string().min(1).max(64),
  kind: z.enum(['sale', 'return', 'exchange']),
  businessDay: isoDate,
  tillSessionId: id,
  staffId: id,
  customerId: id.nullable(),
  originalSaleId: id.nullable(),
  lines: z.array(saleLineSchema).max(1000),
  tenders: z.array(saleTenderSchema).max(100),
  coupons: z.array(z.object({ code: z.string().min(1).max(64), discountFen: fen, spentOffline: z.boolean() })).max(50),
  points: z.object({ redeemed: count, valueFen: fen, spentOffline: z.boolean(), earned: z.number().int().min(-1e9).max(1e9) }).nullable(),
  totals: z.object({ subtotalFen: fen, discountFen: fen, totalFen: fen, refundFen: fen, netFen: fen, changeFen: fen }),
  /** HQ could not be asked when it happened (coupons, points and the sale itself were taken offline). */
  offline: z.boolean(),
  createdAt: iso,
  /**
   * The guide the customer was bound to on this device when it sold (service credit; the selling
   * staff has sales credit). Optional: older devices do not send it, and HQ decides it as of
   * `createdAt` from its own bindings anyway — this is the device's view, kept with the fact.
   */
  serviceGuideId: id.nullable().optional(),
});

export type SaleLine = z.infer<typeof saleLineSchema>;
export type SaleTender = z.infer<typeof saleTenderSchema>;
export type SaleCompleted = z.infer<typeof saleCompletedSchema>;

/**
 * The JSON paths of a sale's lines, SKUs and quantities, for SQL that reads stored payloads
 * (the device's pending stock): typed against the schema, so renaming a field breaks the build.
 */
export const SALE_JSON = {
  lines: '$.lines' satisfies `$.${keyof SaleCompleted}`,
  sku: '$.sku' satisfies `$.${keyof SaleLine}`,
  qty: '$.qty' satisfies `$.${keyof SaleLine}`,
} as const;
