import { z } from 'zod';
import { count, fen, id, iso, isoDate } from './fields.js';

/**
 * The till's business day and the cash in its drawer (main/cashup). HQ applies the cash movements
 * to its cash ledger and records the day's opening and close.
 */

/** `cash.paid_in`, `cash.paid_out`, `cash.no_sale` (amount 0). */
export const cashMovementSchema = z.object({
  id,
  sessionId: id,
  amountFen: fen,
  reason: z.string().max(500),
  /** The manager who approved it (paid-out, no-sale by a cashier); null when the role allowed it alone. */
  approvedBy: id.nullable(),
});
export type CashMovement = z.infer<typeof cashMovementSchema>;

/** `till.opened`: the business day starts with the float in the drawer. */
export const tillOpenedSchema = z.object({ sessionId: id, businessDay: isoDate, floatFen: fen });
export type TillOpened = z.infer<typeof tillOpenedSchema>;

const tenderTotal = z.object({
  method: z.string().min(1).max(32),
  expectedFen: fen.nullable(),
  countedFen: fen.nullable(),
  varianceFen: fen.nullable(),
});

/** `till.closed`: the Z report that closed the day, as the till computed and counted it. */
export const tillClosedSchema = z.object({
  kind: z.literal('z'),
  sessionId: id,
  businessDay: isoDate,
  openedAt: iso,
  closedAt: iso,
  floatFen: fen,
  salesCount: count,
  returnsCount: count,
  salesFen: fen,
  refundsFen: fen,
  discountFen: fen,
  paidInFen: fen,
  paidOutFen: fen,
  noSaleCount: count,
  tenders: z.array(tenderTotal).max(20),
  /** Refunds paid in cash (a manager approved) although the money came from another method. */
  cashInstead: z
    .array(z.object({ method: z.string().min(1).max(32), amountFen: fen, count }))
    .max(20)
    .optional(),
  blind: z.boolean(),
  movements: z
    .array(
      z.object({
        kind: z.enum(['paid_in', 'paid_out', 'no_sale']),
        amountFen: fen,
        reason: z.string().max(500),
        staffName: z.string().max(200),
        at: iso,
      }),
    )
    .max(10_000),
});
export type TillClosed = z.infer<typeof tillClosedSchema>;
