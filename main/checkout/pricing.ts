/**
 * The pricing engine: one pure function from a cart's lines, the active promotions, the applied
 * coupons and the points to redeem, to every line's discounts and the totals. The cart state the
 * UI shows and the receipt print carry its output, so both always agree.
 *
 * Order, and the stacking rules:
 * 1. A manual line discount or a price override replaces item promotions on that line.
 * 2. Item promotions (percent off, fixed price): at most one per line, the best for the customer.
 * 3. Spend thresholds ("满1000减300", optionally "每满"): the best one applies, on the lines in its
 *    scope; lines that got an item promotion count only when the threshold allows it.
 * 4. Coupons, on the lines whose promotions allow coupons: threshold coupons stack only when each
 *    has its own threshold's worth of spend (two "¥1000−¥300" need ¥2000), and the engine picks the
 *    subset worth most; then no-threshold amounts; then percent coupons on what is left. A
 *    non-stackable coupon stands alone.
 * 5. Points, on whatever is left.
 * Order-level amounts (3–5) are allocated to lines by largest remainder, so a line's total is
 * exactly what a later return refunds.
 */
import type { AppliedPromotion, CouponKind, ManualDiscount, PromotionKind } from '../api/contract.js';
import type { I18nName } from '../api/domains/common.js';
import { allocate, percentOf, percentToBp } from './money.js';

export type PricingLine = {
  lineId: string;
  sku: string;
  styleCode: string;
  /** The style's category as the catalog names it in English (`Down jacket`), for category promotions. */
  category: string;
  qty: number;
  /** Unit price after any override. */
  unitFen: number;
  overridden: boolean;
  manual: ManualDiscount | null;
};

export type PromotionScope =
  { kind: 'all' } | { kind: 'styles'; codes: string[] } | { kind: 'skus'; codes: string[] } | { kind: 'categories'; names: string[] };

export type Promotion = {
  id: string;
  kind: PromotionKind;
  name: I18nName;
  scope: PromotionScope;
  /** percent_off: basis points off. */
  percentBp: number;
  /** fixed_price: the unit price. */
  priceFen: number;
  /** spend_threshold: spend needed and amount off. */
  thresholdFen: number;
  offFen: number;
  /** spend_threshold: "每满" — the amount off for every full threshold. */
  repeat: boolean;
  /** Lines this promotion discounted may also take coupons. */
  couponsAllowed: boolean;
  /** spend_threshold: lines already discounted by an item promotion count towards the threshold. */
  withItemPromotions: boolean;
};

export type Coupon = {
  code: string;
  kind: CouponKind;
  name: I18nName;
  valueFen: number;
  thresholdFen: number;
  percentBp: number;
  stackable: boolean;
};

export type PricingInput = {
  lines: readonly PricingLine[];
  promotions: readonly Promotion[];
  /** In the order they were applied. */
  coupons: readonly Coupon[];
  /** Points value the customer wants to redeem, in fen (capped at what is left to pay). */
  pointsFen: number;
};

export type PricedLine = {
  lineId: string;
  grossFen: number;
  manualDiscountFen: number;
  promotions: AppliedPromotion[];
  promotionDiscountFen: number;
  orderDiscountFen: number;
  totalFen: number;
};

export type PricedCoupon = {
  code: string;
  discountFen: number;
  active: boolean;
  reason?: 'threshold_not_met' | 'no_eligible_items' | 'does_not_stack';
};

export type PricingResult = {
  lines: PricedLine[];
  promotions: AppliedPromotion[];
  coupons: PricedCoupon[];
  /** Coupon basis: what the coupon-eligible lines cost before coupons. */
  couponBaseFen: number;
  pointsFen: number;
  totals: {
    subtotalFen: number;
    manualDiscountFen: number;
    promotionDiscountFen: number;
    couponDiscountFen: number;
    pointsFen: number;
    discountFen: number;
    totalFen: number;
  };
};

/** Subsets of threshold coupons are tried exhaustively: a bundle is a handful, never dozens. */
export const MAX_COUPONS = 10;

function inScope(scope: PromotionScope, line: PricingLine): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'styles') return scope.codes.includes(line.styleCode);
  if (scope.kind === 'categories') return scope.names.includes(line.category);
  return scope.codes.includes(line.sku);
}

function manualDiscountFen(gross: number, manual: ManualDiscount | null): number {
  if (!manual) return 0;
  if (manual.kind === 'percent') return Math.min(gross, percentOf(gross, percentToBp(manual.percent)));
  return Math.min(gross, manual.amountFen);
}

function itemPromotionFen(p: Promotion, line: PricingLine, gross: number): number {
  if (p.kind === 'percent_off') return Math.min(gross, percentOf(gross, p.percentBp));
  if (p.kind === 'fixed_price') return Math.max(0, gross - line.qty * p.priceFen);
  return 0;
}

function thresholdOff(p: Pick<Promotion, 'thresholdFen' | 'offFen' | 'repeat'>, basis: number): number {
  if (p.thresholdFen <= 0 || basis < p.thresholdFen) return 0;
  const times = p.repeat ? Math.floor(basis / p.thresholdFen) : 1;
  return Math.min(basis, times * p.offFen);
}

/** Best subset of threshold coupons whose thresholds fit in `base`: most off, then fewest coupons, then earliest applied. */
function bestThresholdSet(coupons: readonly Coupon[], base: number): Set<number> {
  let best = { mask: 0, off: 0, count: 0 };
  for (let mask = 1; mask < 1 << coupons.length; mask++) {
    let need = 0;
    let off = 0;
    let count = 0;
    coupons.forEach((c, i) => {
      if (mask & (1 << i)) {
        need += c.thresholdFen;
        off += c.valueFen;
        count++;
      }
    });
    if (need > base) continue;
    off = Math.min(off, base);
    if (off > best.off || (off === best.off && count < best.count)) best = { mask, off, count };
  }
  return new Set(coupons.flatMap((_, i) => (best.mask & (1 << i) ? [i] : [])));
}

export function priceCart(input: PricingInput): PricingResult {
  const { lines } = input;
  if (input.coupons.length > MAX_COUPONS) throw new RangeError(`at most ${MAX_COUPONS} coupons`);
  const gross = lines.map((l) => l.qty * l.unitFen);
  const manual = lines.map((l, i) => manualDiscountFen(gross[i] as number, l.manual));

  // 2. Item promotions: the best one per line, none where a person set the price.
  const item = lines.map((line, i) => {
    if (line.manual || line.overridden) return null;
    let best: { p: Promotion; fen: number } | null = null;
    for (const p of input.promotions) {
      if (p.kind === 'spend_threshold' || !inScope(p.scope, line)) continue;
      const fen = itemPromotionFen(p, line, gross[i] as number);
      if (fen > 0 && (!best || fen > best.fen)) best = { p, fen };
    }
    return best;
  });
  const afterItem = lines.map((_, i) => (gross[i] as number) - (manual[i] as number) - (item[i]?.fen ?? 0));

  // 3. Spend thresholds: the best single one.
  let threshold: { p: Promotion; fen: number; eligible: boolean[] } | null = null;
  for (const p of input.promotions) {
    if (p.kind !== 'spend_threshold') continue;
    const eligible = lines.map(
      (line, i) => inScope(p.scope, line) && (p.withItemPromotions || (!item[i] && !line.manual && !line.overridden)),
    );
    const basis = afterItem.reduce((a, v, i) => a + (eligible[i] ? v : 0), 0);
    const fen = thresholdOff(p, basis);
    if (fen > 0 && (!threshold || fen > threshold.fen)) threshold = { p, fen, eligible };
  }
  const thresholdShare = threshold
    ? (() => {
        const t = threshold;
        return allocate(
          t.fen,
          afterItem.map((v, i) => (t.eligible[i] ? v : 0)),
        );
      })()
    : lines.map(() => 0);
  const afterThreshold = afterItem.map((v, i) => v - (thresholdShare[i] as number));

  // 4. Coupons, on lines whose promotions allow them.
  const couponEligible = lines.map((_, i) => {
    if (item[i] && !item[i].p.couponsAllowed) return false;
    if (threshold && threshold.eligible[i] && !threshold.p.couponsAllowed) return false;
    return true;
  });
  const couponBase = afterThreshold.reduce((a, v, i) => a + (couponEligible[i] ? v : 0), 0);
  const priced: PricedCoupon[] = input.coupons.map((c) => ({ code: c.code, discountFen: 0, active: false }));
  const stackConflict = input.coupons.length > 1 && input.coupons.some((c) => !c.stackable);
  const candidates: number[] = [];
  input.coupons.forEach((c, i) => {
    const out = priced[i] as PricedCoupon;
    // The first coupon stands when stacking conflicts; every later one is refused.
    if (stackConflict && i > 0) out.reason = 'does_not_stack';
    else if (couponBase <= 0) out.reason = 'no_eligible_items';
    else candidates.push(i);
  });
  let remaining = couponBase;
  const thresholdIdx = candidates.filter((i) => input.coupons[i]?.kind === 'threshold');
  const chosen = bestThresholdSet(
    thresholdIdx.map((i) => input.coupons[i] as Coupon),
    couponBase,
  );
  thresholdIdx.forEach((ci, k) => {
    const out = priced[ci] as PricedCoupon;
    const c = input.coupons[ci] as Coupon;
    if (!chosen.has(k)) {
      out.reason = 'threshold_not_met';
      return;
    }
    out.active = true;
    out.discountFen = Math.min(c.valueFen, remaining);
    remaining -= out.discountFen;
  });
  for (const kind of ['amount', 'percent'] as const) {
    for (const ci of candidates) {
      const c = input.coupons[ci] as Coupon;
      if (c.kind !== kind) continue;
      const out = priced[ci] as PricedCoupon;
      out.active = true;
      out.discountFen = kind === 'amount' ? Math.min(c.valueFen, remaining) : Math.min(remaining, percentOf(remaining, c.percentBp));
      remaining -= out.discountFen;
    }
  }
  const couponTotal = couponBase - remaining;
  const couponShare = allocate(
    couponTotal,
    afterThreshold.map((v, i) => (couponEligible[i] ? v : 0)),
  );
  const afterCoupons = afterThreshold.map((v, i) => v - (couponShare[i] as number));

  // 5. Points on what is left.
  const left = afterCoupons.reduce((a, v) => a + v, 0);
  const pointsFen = Math.max(0, Math.min(input.pointsFen, left));
  const pointsShare = allocate(pointsFen, afterCoupons);

  const pricedLines: PricedLine[] = lines.map((line, i) => {
    const promo = item[i];
    const promotions: AppliedPromotion[] = promo
      ? [{ id: promo.p.id, kind: promo.p.kind, name: promo.p.name, discountFen: promo.fen }]
      : [];
    const orderDiscountFen = (thresholdShare[i] as number) + (couponShare[i] as number) + (pointsShare[i] as number);
    return {
      lineId: line.lineId,
      grossFen: gross[i] as number,
      manualDiscountFen: manual[i] as number,
      promotions,
      promotionDiscountFen: promo?.fen ?? 0,
      orderDiscountFen,
      totalFen: (afterCoupons[i] as number) - (pointsShare[i] as number),
    };
  });
  const sum = (f: (l: PricedLine) => number) => pricedLines.reduce((a, l) => a + f(l), 0);
  const subtotalFen = sum((l) => l.grossFen);
  const manualDiscountFenTotal = sum((l) => l.manualDiscountFen);
  const itemPromo = sum((l) => l.promotionDiscountFen);
  const thresholdFen = threshold?.fen ?? 0;
  const totalFen = sum((l) => l.totalFen);
  return {
    lines: pricedLines,
    promotions: threshold ? [{ id: threshold.p.id, kind: threshold.p.kind, name: threshold.p.name, discountFen: thresholdFen }] : [],
    coupons: priced,
    couponBaseFen: couponBase,
    pointsFen,
    totals: {
      subtotalFen,
      manualDiscountFen: manualDiscountFenTotal,
      promotionDiscountFen: itemPromo + thresholdFen,
      couponDiscountFen: couponTotal,
      pointsFen,
      discountFen: subtotalFen - totalFen,
      totalFen,
    },
  };
}
