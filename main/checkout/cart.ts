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

/** A tender as main keeps it: the provider's reference stays here for refunds. */
export type TenderRecord = CartTender & { providerRef?: string; requestId?: string };

export type ReturnState = { receiptNo: string | null; saleId: string | null; lines: ReturnLine[] };

/** The cart's own facts; everything else (discounts, totals) is computed by `renderCart`. */
export type CartData = {
  id: string;
  items: CartItem[];
  memberId: string | null;
  coupons: Coupon[];
  points: number;
  tenders: TenderRecord[];
  ret: ReturnState | null;
  /** How a refund goes back when the cart nets negative; set by the return logic. */
  refundSources: {
    method: TenderMethod;
    availableFen: number;
    /** The original payment's provider reference (mobile refunds). */ reference?: string;
  }[];
};

export function emptyCart(id: string): CartData {
  return { id, items: [], memberId: null, coupons: [], points: 0, tenders: [], ret: null, refundSources: [] };
}

export type Rendered = { state: CartState; pricing: PricingResult };

/** Refund for `amountFen` over the sources in order (card/mobile biggest first, cash last), the rest in cash. */
export function planRefunds(amountFen: number, sources: CartData['refundSources']): { method: TenderMethod; amountFen: number }[] {
  const out: { method: TenderMethod; amountFen: number }[] = [];
  let left = amountFen;
  const ordered = [...sources].sort(
    (a, b) => (a.method === 'cash' ? 1 : 0) - (b.method === 'cash' ? 1 : 0) || b.availableFen - a.availableFen,
  );
  for (const s of ordered) {
    if (left <= 0) break;
    const take = Math.min(left, s.availableFen);
    if (take <= 0) continue;
    const same = out.find((o) => o.method === s.method);
    if (same) same.amountFen += take;
    else out.push({ method: s.method, amountFen: take });
    left -= take;
  }
  if (left > 0) {
    const cash = out.find((o) => o.method === 'cash');
    if (cash) cash.amountFen += left;
    else out.push({ method: 'cash', amountFen: left });
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
    tenders: data.tenders.map(({ providerRef: _p, requestId: _r, ...t }) => t),
    refunds: netFen < 0 ? planRefunds(-netFen, data.refundSources) : [],
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
