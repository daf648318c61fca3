import type {
  AppliedCoupon,
  CartLine,
  CartState,
  CartTender,
  ManualDiscount,
  MemberView,
  ReturnLine,
  TenderMethod,
} from '../api/contract.js';
import type { I18nName } from '../api/domains/common.js';
import { priceCart } from './pricing.js';
import { refundFromOriginalFen, take } from '../../sync/protocol/refund-sources.js';
import type { RefundSource } from '../../sync/protocol/refund-sources.js';
import type { Coupon, PricingResult, Promotion } from './pricing.js';

export type CartItem = {
  lineId: string;
  sku: string;
  ean: string;
  styleCode: string;
  category: string;
  name: I18nName;
  colour: I18nName;
  size: string;
  qty: number;
  listUnitFen: number;
  override: { unitFen: number; reason: string; approvedBy: string | null } | null;
  manual: ManualDiscount | null;
  /** Who approved a discount above the staff's limit (null: within it). */
  discountApprovedBy: string | null;
};

/**
 * A tender as main keeps it: the provider's reference stays here for refunds; `voidAsked`: the
 * gateway was asked to refund this payment (a void) and has not answered yet; `voidsRefused`: how
 * often the gateway refused to (each refusal moves the void to a new key).
 */
export type TenderRecord = CartTender & { providerRef?: string; requestId?: string; voidAsked?: boolean; voidsRefused?: number };

export type ReturnState = {
  receiptNo: string | null;
  saleId: string | null;
  lines: ReturnLine[];
  /**
   * The receipt's member (null: it was sold to no member), set when the return starts: the points
   * a return takes back are theirs, so the cart's member stays theirs while the return is in it.
   */
  memberId?: string | null;
};

/** The cart's own facts; everything else (discounts, totals) is computed by `renderCart`. */
export type CartData = {
  id: string;
  items: CartItem[];
  memberId: string | null;
  coupons: Coupon[];
  points: number;
  tenders: TenderRecord[];
  ret: ReturnState | null;
  /** How a refund goes back when the cart nets negative (what each payment can still take back); set by the return logic. */
  refundSources: RefundSource<TenderMethod>[];
  /**
   * A gateway refund has been paid (or asked) for this cart: from then on the cart cannot change —
   * the money has gone back for exactly this return — and it can only be completed.
   */
  refundPaid: boolean;
  /**
   * When the cart was priced for payment (the first payment taken): promotions are those active
   * then, so one that starts or ends while the customer pays changes neither what is due nor the sale.
   */
  pricedAt?: string;
};

export function emptyCart(id: string): CartData {
  return { id, items: [], memberId: null, coupons: [], points: 0, tenders: [], ret: null, refundSources: [], refundPaid: false };
}

export type Rendered = { state: CartState; pricing: PricingResult };

/** A refund planned over the sources: one entry per payment it goes back to (`reference`: that payment's). */
export type PlannedRefund = { method: TenderMethod; amountFen: number; reference?: string };

/** How much of the cart's refund goes back over the receipt's payments (refundFromOriginalFen). */
export function receiptRefundFen(ret: ReturnState | null, newItemsFen: number): number {
  const receipt = ret?.lines.reduce((a, l) => a + (l.saleLineId !== null ? l.refundFen : 0), 0) ?? 0;
  return refundFromOriginalFen(receipt, newItemsFen);
}

/**
 * Refund for `amountFen`: up to `fromSources` of it over the sources in refund order (card/mobile
 * biggest first, cash last), the rest in cash.
 */
export function planRefunds(amountFen: number, sources: readonly RefundSource<TenderMethod>[], fromSources = amountFen): PlannedRefund[] {
  const taken = take(
    sources.map((s) => ({ ...s })),
    Math.min(amountFen, fromSources),
  );
  const out: PlannedRefund[] = taken.map(({ availableFen, ...s }) => ({ ...s, amountFen: availableFen }));
  const left = amountFen - out.reduce((a, r) => a + r.amountFen, 0);
  if (left > 0) {
    const cash = out.find((o) => o.method === 'cash');
    if (cash) cash.amountFen += left;
    else out.push({ method: 'cash', amountFen: left });
  }
  return out;
}

/** The refund as the customer sees it: per method. */
function refundsByMethod(planned: PlannedRefund[]): CartState['refunds'] {
  const out: CartState['refunds'] = [];
  for (const r of planned) {
    const same = out.find((o) => o.method === r.method);
    if (same) same.amountFen += r.amountFen;
    else out.push({ method: r.method, amountFen: r.amountFen });
  }
  return out;
}

/** The pricing engine applied to the cart: the value the UI renders and the receipt prints. */
export function renderCart(
  data: CartData,
  deps: {
    promotions: Promotion[];
    member: MemberView | null;
    pointsValueFen: number;
    offline: boolean;
    couponOffline: boolean;
    now: string;
  },
): Rendered {
  const pricing = priceCart({
    lines: data.items.map((i) => ({
      lineId: i.lineId,
      sku: i.sku,
      styleCode: i.styleCode,
      category: i.category,
      qty: i.qty,
      unitFen: i.override?.unitFen ?? i.listUnitFen,
      overridden: i.override !== null,
      manual: i.manual,
    })),
    promotions: deps.promotions,
    coupons: data.coupons,
    pointsFen: deps.pointsValueFen,
  });
  const lines: CartLine[] = data.items.map((i, k) => {
    const p = pricing.lines[k];
    if (!p) throw new Error('pricing lost a line');
    return {
      lineId: i.lineId,
      sku: i.sku,
      ean: i.ean,
      styleCode: i.styleCode,
      name: i.name,
      colour: i.colour,
      size: i.size,
      qty: i.qty,
      listUnitFen: i.listUnitFen,
      unitFen: i.override?.unitFen ?? i.listUnitFen,
      override: i.override,
      manualDiscount: i.manual,
      grossFen: p.grossFen,
      manualDiscountFen: p.manualDiscountFen,
      promotions: p.promotions,
      promotionDiscountFen: p.promotionDiscountFen,
      orderDiscountFen: p.orderDiscountFen,
      totalFen: p.totalFen,
    };
  });
  const coupons: AppliedCoupon[] = data.coupons.map((c, k) => {
    const p = pricing.coupons[k];
    return {
      code: c.code,
      kind: c.kind,
      name: c.name,
      discountFen: p?.discountFen ?? 0,
      active: p?.active ?? false,
      ...(p?.reason ? { reason: p.reason } : {}),
      offline: deps.couponOffline,
    };
  });
  const refundFen = data.ret?.lines.reduce((a, l) => a + l.refundFen, 0) ?? 0;
  const totalFen = pricing.totals.totalFen;
  const netFen = totalFen - refundFen;
  const paidFen = data.tenders.reduce((a, t) => a + t.amountFen, 0);
  const changeFen = data.tenders.reduce((a, t) => a + (t.changeFen ?? 0), 0);
  const dueFen = Math.max(0, netFen - paidFen);
  const itemCount = data.items.reduce((a, i) => a + i.qty, 0) + (data.ret?.lines.reduce((a, l) => a + l.qty, 0) ?? 0);
  const hasSomething = data.items.length > 0 || (data.ret?.lines.length ?? 0) > 0;
  const state: CartState = {
    id: data.id,
    lines,
    promotions: pricing.promotions,
    member: deps.member,
    coupons,
    points: data.points > 0 ? { redeemed: data.points, valueFen: pricing.pointsFen, offline: deps.offline } : null,
    return: data.ret ? { receiptNo: data.ret.receiptNo, saleId: data.ret.saleId, lines: data.ret.lines } : null,
    tenders: data.tenders.map(({ providerRef: _p, requestId: _r, voidAsked: _v, voidsRefused: _n, ...t }) => t),
    refunds: netFen < 0 ? refundsByMethod(planRefunds(-netFen, data.refundSources, receiptRefundFen(data.ret, totalFen))) : [],
    totals: {
      itemCount,
      subtotalFen: pricing.totals.subtotalFen,
      manualDiscountFen: pricing.totals.manualDiscountFen,
      promotionDiscountFen: pricing.totals.promotionDiscountFen,
      couponDiscountFen: pricing.totals.couponDiscountFen,
      pointsFen: pricing.totals.pointsFen,
      discountFen: pricing.totals.discountFen,
      totalFen,
      refundFen,
      netFen,
      paidFen,
      dueFen,
      changeFen,
    },
    canComplete: hasSomething && dueFen === 0,
    updatedAt: deps.now,
  };
  return { state, pricing };
}
