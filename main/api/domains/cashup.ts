import { z } from 'zod';
import { empty, method } from '../define.js';
import type { TenderMethod } from './checkout.js';

const fen = z.number().int().nonnegative().max(100_000_000_00);
const reason = z.string().trim().min(1).max(120);

/**
 * The till's business day: from `open` (with the float) to the Z report. The business day is the
 * store-local date when the till opened (so a day running past midnight keeps its date); every
 * sale and cash movement belongs to the open day.
 */
export type TillState =
  | { state: 'closed'; lastZ: { businessDay: string; closedAt: string } | null }
  | { state: 'open'; sessionId: string; businessDay: string; openedAt: string; openedBy: string; floatFen: number };

/**
 * What the drawer did for a float, paid-in, paid-out or no-sale (the sale screen's shape): opened,
 * did not open (`error`: why; use the key), or `uncertain` — the kick was on its way but not
 * confirmed in time, so it may have opened. The movement is recorded whatever the drawer did.
 */
export type TillDrawer = { opened: boolean; uncertain?: true; error?: string };

/** The till after an action that opens the drawer, with what the drawer did. */
export type TillMoved = TillState & { drawer: TillDrawer };

export type TenderTotal = {
  method: TenderMethod;
  /** What the till should hold / the terminals took: sales − refunds (+ float, paid-ins − paid-outs for cash). */
  expectedFen: number | null;
  countedFen: number | null;
  /** counted − expected; null until counted. */
  varianceFen: number | null;
};

/** X report (any time, the day stays open) or Z report (closes the day). */
export type CashReport = {
  kind: 'x' | 'z';
  sessionId: string;
  businessDay: string;
  openedAt: string;
  closedAt: string | null;
  floatFen: number;
  salesCount: number;
  returnsCount: number;
  salesFen: number;
  refundsFen: number;
  discountFen: number;
  paidInFen: number;
  paidOutFen: number;
  noSaleCount: number;
  /**
   * Per tender. A blind X report shows no expected figures (`expectedFen: null`) to whoever is
   * counting; the Z report reveals them after the count.
   */
  tenders: TenderTotal[];
  /**
   * Refunds paid in cash although the money came from a card or a mobile payment (a manager
   * approved each): per original method. Already in the cash figures; shown so the day's close
   * says how much card money left the drawer.
   */
  cashInstead: { method: TenderMethod; amountFen: number; count: number }[];
  blind: boolean;
  movements: { kind: 'paid_in' | 'paid_out' | 'no_sale'; amountFen: number; reason: string; staffName: string; at: string }[];
  /** Whether the report went to the printer. */
  printed: { sent: boolean; error?: string };
};

export const cashupContract = {
  state: method<TillState>()(empty),
  /** Opens the business day with the float in the drawer (opens the drawer). CONFLICT when already open. */
  open: method<TillMoved>()(z.object({ floatFen: fen }).strict()),
  /** Cash put into the drawer (opens the drawer). TILL_NOT_OPEN. */
  paidIn: method<TillMoved>()(z.object({ amountFen: fen.min(1), reason }).strict()),
  /** Cash taken out (opens the drawer); a `paid_out` approval for cashiers. */
  paidOut: method<TillMoved>()(z.object({ amountFen: fen.min(1), reason, approvalToken: z.string().min(1).max(128).optional() }).strict()),
  /** Opens the drawer without a sale; a `no_sale` approval for cashiers. */
  noSale: method<TillMoved>()(z.object({ reason, approvalToken: z.string().min(1).max(128).optional() }).strict()),
  /**
   * X report: the day so far, optionally printed. `blind` hides expected figures (for a count
   * before the Z). Showing them (`blind: false`) needs an `x_report` approval unless a manager:
   * whoever counts must not see what the drawer should hold first (APPROVAL_REQUIRED).
   */
  xReport: method<CashReport>()(
    z
      .object({
        blind: z.boolean().default(false),
        print: z.boolean().default(false),
        approvalToken: z.string().min(1).max(128).optional(),
      })
      .strict(),
  ),
  /**
   * Z report: closes the business day with what was counted per tender (cash at least); returns
   * expected vs counted and the variance, and prints it. TILL_NOT_OPEN.
   */
  zReport: method<CashReport>()(
    z
      .object({
        counted: z
          .object({
            cash: fen,
            card: fen.optional(),
            external: fen.optional(),
            wechat: fen.optional(),
            alipay: fen.optional(),
            unionpay: fen.optional(),
          })
          .strict(),
        blind: z.boolean().default(false),
      })
      .strict(),
  ),
};

export type CashupEvents = { 'till.changed': TillState };
