import { z } from 'zod';
import { code, empty, method } from '../define.js';
import type { I18nName } from './common.js';
import type { StaffView } from './staff.js';
import type { TillDrawer } from './cashup.js';

/** Money is integer fen everywhere. */
const fen = z.number().int().nonnegative().max(100_000_000_00);
const approvalToken = z.string().min(1).max(128).optional();
const lineId = z.string().min(1).max(64);

export type Tier = 'blue' | 'silver' | 'gold' | 'platinum';

export type PromotionKind = 'percent_off' | 'fixed_price' | 'spend_threshold';
export type CouponKind = 'amount' | 'threshold' | 'percent';
export type TenderMethod = 'cash' | 'card' | 'external' | 'wechat' | 'alipay' | 'unionpay';

/** A promotion that took money off, with the part that went to one line (on lines) or the whole cart (on the cart). */
export type AppliedPromotion = { id: string; kind: PromotionKind; name: I18nName; discountFen: number };

export type ManualDiscount = { kind: 'percent'; percent: number } | { kind: 'amount'; amountFen: number };

export type CartLine = {
  lineId: string;
  sku: string;
  ean: string;
  styleCode: string;
  name: I18nName;
  colour: I18nName;
  size: string;
  qty: number;
  /** Catalog price of one unit. */
  listUnitFen: number;
  /** Price of one unit after a price override (= listUnitFen without one). */
  unitFen: number;
  override: { unitFen: number; reason: string; approvedBy: string | null } | null;
  manualDiscount: ManualDiscount | null;
  /** qty × unitFen. */
  grossFen: number;
  /** Taken off by the manual line discount. */
  manualDiscountFen: number;
  /** Item promotions on this line (at most one applies; the best). */
  promotions: AppliedPromotion[];
  promotionDiscountFen: number;
  /** This line's share (largest remainder, in fen) of spend thresholds, coupons and points. */
  orderDiscountFen: number;
  /** What the customer pays for this line: grossFen − every discount. */
  totalFen: number;
};

export type MemberCoupon = {
  code: string;
  kind: CouponKind;
  name: I18nName;
  /** amount/threshold coupons: fen off. */
  valueFen: number;
  /** threshold coupons: spend needed (each stacked threshold coupon needs its own). 0 otherwise. */
  thresholdFen: number;
  /** percent coupons: percent off (e.g. 15 = 15% off). 0 otherwise. */
  percent: number;
  /** May be combined with other stackable coupons. */
  stackable: boolean;
  validUntil: string;
  status: 'available' | 'used' | 'expired';
};

export type MemberView = {
  id: string;
  /** What the member QR carries, e.g. `M00000001`. */
  code: string;
  name: string;
  /** Masked for the screen: `138****5678`. */
  phone: string;
  tier: Tier;
  /** Balance as this device knows it: HQ's last figure, less the spends and plus the earns of this device's sales HQ has not settled yet. */
  points: number;
  /** Redemption rate: this many points are worth ¥1. */
  pointsPerYuan: number;
  coupons: MemberCoupon[];
};

export type AppliedCoupon = {
  code: string;
  kind: CouponKind;
  name: I18nName;
  discountFen: number;
  /** false when the cart no longer qualifies (e.g. under the threshold); it is kept but takes nothing off. */
  active: boolean;
  /** Why it is inactive, for the UI to translate. */
  reason?: 'threshold_not_met' | 'no_eligible_items' | 'does_not_stack';
  /** Spent while HQ could not confirm it: the sale says so, HQ reconciles double spends. */
  offline: boolean;
};

export type CartTender = {
  tenderId: string;
  method: TenderMethod;
  /** What this tender pays towards the sale. */
  amountFen: number;
  /** Cash: what the customer handed over. */
  givenFen?: number;
  /** Cash: handed back. */
  changeFen?: number;
  /** Card/external terminal reference, or the mobile payment's provider reference. */
  reference?: string;
};

/** A line being returned (negative in the totals), from an original sale or a no-receipt return. */
export type ReturnLine = {
  lineId: string;
  /** The original sale line; null for a no-receipt return. */
  saleLineId: string | null;
  sku: string;
  name: I18nName;
  colour: I18nName;
  size: string;
  qty: number;
  /** What the customer paid per unit originally (informational; the refund is exact per line). */
  unitPaidFen: number;
  /** Exactly what was paid for these units (allocation of the original discounts, in fen). */
  refundFen: number;
};

export type CartTotals = {
  itemCount: number;
  /** Sum of grossFen. */
  subtotalFen: number;
  manualDiscountFen: number;
  promotionDiscountFen: number;
  couponDiscountFen: number;
  pointsFen: number;
  /** All discounts. */
  discountFen: number;
  /** What the new items cost after discounts. */
  totalFen: number;
  /** Returned lines' refund. */
  refundFen: number;
  /** totalFen − refundFen: positive = customer pays, negative = customer gets back. */
  netFen: number;
  /** Sum of tenders' amountFen. */
  paidFen: number;
  /** Still to pay (never negative). */
  dueFen: number;
  /** Cash change to hand back. */
  changeFen: number;
};

/**
 * The till's cart, one pushable value the UI renders as is (also pushed as `cart.changed`). The
 * pricing engine's output: the receipt prints the same numbers.
 */
export type CartState = {
  id: string;
  lines: CartLine[];
  /** Cart-level promotions (spend thresholds) applied. */
  promotions: AppliedPromotion[];
  member: MemberView | null;
  coupons: AppliedCoupon[];
  points: { redeemed: number; valueFen: number; offline: boolean } | null;
  /** Set while the cart returns (part of) an earlier sale, or a no-receipt return. */
  return: { receiptNo: string | null; saleId: string | null; lines: ReturnLine[] } | null;
  tenders: CartTender[];
  /** When netFen < 0: how the refund goes back (original tenders, biggest first; cash last). */
  refunds: { method: TenderMethod; amountFen: number }[];
  totals: CartTotals;
  /** Ready to complete: something to sell or return, and nothing due. */
  canComplete: boolean;
  updatedAt: string;
};

export type ParkedCart = { parkedId: string; note: string; staffName: string; itemCount: number; totalFen: number; parkedAt: string };

export type SaleKind = 'sale' | 'return' | 'exchange';

export type SaleLineView = {
  saleLineId: string;
  sku: string;
  name: I18nName;
  colour: I18nName;
  size: string;
  /** Negative for returned units. */
  qty: number;
  unitFen: number;
  discountFen: number;
  totalFen: number;
  /** Units of this line already returned on this device. */
  returnedQty: number;
  /** Refund already made for this line. */
  returnedFen: number;
};

export type SaleView = {
  saleId: string;
  /** `S001-7F3A-261122-0042`: store, device, business date (store time), sequence. CODE128, ASCII, ≤ 24 chars. */
  receiptNo: string;
  kind: SaleKind;
  businessDay: string;
  /** UTC instant. */
  createdAt: string;
  staff: StaffView;
  member: { id: string; code: string; name: string } | null;
  lines: SaleLineView[];
  tenders: { method: TenderMethod; amountFen: number; reference?: string; givenFen?: number; changeFen?: number }[];
  coupons: { code: string; discountFen: number; offline: boolean }[];
  points: { redeemed: number; valueFen: number; offline: boolean; earned: number } | null;
  totals: { subtotalFen: number; discountFen: number; totalFen: number; refundFen: number; netFen: number; changeFen: number };
  originalReceiptNo: string | null;
};

/** What complete() did. A failed print or drawer never undoes the sale: the UI shows it and offers a reprint. */
export type SaleResult = {
  sale: SaleView;
  receipt: { sent: boolean; error?: string };
  /** `uncertain`: the kick was on its way but not confirmed in time — the drawer may have opened. */
  drawer: TillDrawer | null;
  /** The fresh cart for the next customer. */
  cart: CartState;
};

/** What a scan at the Sell screen did. */
export type ScanOutcome =
  | { kind: 'product' | 'member' | 'coupon'; cart: CartState }
  /** A receipt barcode: the UI may start a return with it. */
  | { kind: 'receipt'; receiptNo: string; cart: CartState }
  /** A customer's payment code: the UI may tender with it. */
  | { kind: 'payment'; method: 'wechat' | 'alipay' | 'unionpay'; code: string; cart: CartState };

export type SaleSummary = {
  saleId: string;
  receiptNo: string;
  kind: SaleKind;
  createdAt: string;
  staffName: string;
  memberName: string | null;
  itemCount: number;
  netFen: number;
};

const tenderInput = z.discriminatedUnion('method', [
  /** Cash: what the customer handed over; change is what exceeds the amount due. */
  z.object({ method: z.literal('cash'), givenFen: fen.min(1) }).strict(),
  /** Card or another external terminal: the amount it took and its reference. */
  z.object({ method: z.enum(['card', 'external']), amountFen: fen.min(1), reference: z.string().trim().min(1).max(64) }).strict(),
  /** A customer's WeChat Pay / Alipay / UnionPay QR payment code; amount defaults to what is due. Refused offline (PAYMENT_OFFLINE). */
  z
    .object({
      method: z.literal('mobile'),
      code: z
        .string()
        .trim()
        .regex(/^\d{16,24}$/, 'payment code is 16–24 digits'),
      amountFen: fen.min(1).optional(),
    })
    .strict(),
]);
export type TenderInput = z.input<typeof tenderInput>;

const discountInput = z.union([
  z.object({ kind: z.literal('percent'), percent: z.number().positive().max(100).multipleOf(0.01) }).strict(),
  z.object({ kind: z.literal('amount'), amountFen: fen.min(1) }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);

export const checkoutContract = {
  /** The current cart (empty when none). NOT_LOGGED_IN / SESSION_LOCKED apply to every checkout call. */
  cart: method<CartState>()(empty),
  /**
   * A scan or typed code at the Sell screen: EAN/UPC → adds the item (same SKU again → qty + 1),
   * SKU code, member code (`M…`) → identifies the member, coupon code → applies it, receipt
   * number or payment code → tells the UI. NOT_FOUND, INVALID_BARCODE, SKU_INACTIVE.
   */
  scan: method<ScanOutcome>()(z.object({ code }).strict()),
  /** Adds a SKU by its code (from the lookup screen). */
  addSku: method<CartState>()(z.object({ sku: code, qty: z.number().int().min(1).max(999).default(1) }).strict()),
  setQty: method<CartState>()(z.object({ lineId, qty: z.number().int().min(1).max(999) }).strict()),
  removeLine: method<CartState>()(z.object({ lineId }).strict()),
  /** Percent or amount off one line. Above the role's limit: APPROVAL_REQUIRED unless a `discount` approval token is passed. */
  lineDiscount: method<CartState>()(z.object({ lineId, discount: discountInput, approvalToken }).strict()),
  /** Sets a unit price (null = back to catalog price). Needs a `price_override` approval for cashiers. */
  priceOverride: method<CartState>()(
    z.object({ lineId, unitFen: fen.nullable(), reason: z.string().trim().min(1).max(120), approvalToken }).strict(),
  ),
  /** Empties the cart. CONFLICT while a mobile payment is taken (void it first). */
  clear: method<CartState>()(empty),
  /** Puts the cart aside (persisted) and starts an empty one. CONFLICT with tenders or a return in it. */
  park: method<CartState>()(z.object({ note: z.string().trim().max(60).default('') }).strict()),
  parked: method<ParkedCart[]>()(empty),
  /** Brings a parked cart back (CONFLICT when the current cart is not empty). */
  resume: method<CartState>()(z.object({ parkedId: z.string().min(1).max(64) }).strict()),
  /** By member code (the QR) or exact mobile number. NOT_FOUND otherwise. */
  identifyMember: method<CartState>()(
    z.union([
      z.object({ code }).strict(),
      z
        .object({
          phone: z
            .string()
            .trim()
            .regex(/^1\d{10}$/, 'an 11-digit mobile number'),
        })
        .strict(),
    ]),
  ),
  removeMember: method<CartState>()(empty),
  /** COUPON_EXPIRED, COUPON_USED (also: used on this device already), COUPON_NOT_APPLICABLE (threshold, stacking, not this member's). */
  applyCoupon: method<CartState>()(z.object({ code }).strict()),
  removeCoupon: method<CartState>()(z.object({ code }).strict()),
  /** Points to redeem (0 removes). A multiple of the rate's points per fen; POINTS_INSUFFICIENT above the balance or the amount left to pay. */
  redeemPoints: method<CartState>()(z.object({ points: z.number().int().min(0).max(100_000_000) }).strict()),
  /** Adds a payment. Split tender: call again. TENDER_SHORT never here; PAYMENT_OFFLINE / PAYMENT_DECLINED for mobile payment. */
  addTender: method<CartState>()(tenderInput),
  /** Removes a payment; a mobile payment is refunded through the provider and needs a `void_tender` approval for cashiers. */
  removeTender: method<CartState>()(z.object({ tenderId: z.string().min(1).max(64), approvalToken }).strict()),
  /**
   * Commits the sale (or return / exchange): sale, lines, tenders, coupon and points use, stock and
   * the `sale.completed` outbox event in one transaction; then opens the drawer (cash) and prints.
   * TENDER_SHORT when something is still due, CART_EMPTY, TILL_NOT_OPEN.
   * `cashInstead`: a refund that would go back to a card or mobile payment is paid in cash
   * instead (the gateway refused it, the customer's card is gone): needs a `cash_refund` approval
   * for everyone, and the Z report shows it.
   */
  complete: method<SaleResult>()(z.object({ cashInstead: z.literal(true).optional(), approvalToken }).strict()),
};

export const returnsContract = {
  /** The sale behind a receipt number (typed or scanned), with what is still returnable per line. */
  find: method<SaleView>()(z.object({ receiptNo: code }).strict()),
  /** Starts returning against a receipt in the current cart; new items added too make it an exchange. */
  start: method<CartState>()(z.object({ receiptNo: code }).strict()),
  /** How many units of an original line to return (0 takes it out). RETURN_EXCEEDS_SALE above what is left. */
  setQty: method<CartState>()(z.object({ saleLineId: z.string().min(1).max(64), qty: z.number().int().min(0).max(999) }).strict()),
  /** A return without receipt at today's price: needs a `no_receipt_return` approval for cashiers. Refunded in cash. */
  noReceipt: method<CartState>()(z.object({ sku: code, qty: z.number().int().min(1).max(99), approvalToken }).strict()),
  /** Takes the return out of the cart. */
  cancel: method<CartState>()(empty),
};

export const salesContract = {
  /** This business day's sales on this device, newest first. */
  today: method<SaleSummary[]>()(empty),
  /** One sale by receipt number. NOT_FOUND. */
  find: method<SaleView>()(z.object({ receiptNo: code }).strict()),
  /** A member's sales on this device, newest first. */
  byMember: method<SaleSummary[]>()(z.object({ memberId: z.string().min(1).max(64) }).strict()),
  /** Prints the receipt again, marked as a copy. `sent: false` with the reason when the printer refused. */
  reprint: method<{ sent: boolean; error?: string }>()(z.object({ receiptNo: code }).strict()),
};

export type CheckoutEvents = { 'cart.changed': CartState; 'sale.completed': SaleView };
