import { describe, expect, it } from 'vitest';
import { priceCart } from './pricing.js';
import type { Coupon, PricingLine, Promotion } from './pricing.js';

const n = { zh: 'x', en: 'x' };
const line = (lineId: string, unitFen: number, qty = 1, more: Partial<PricingLine> = {}): PricingLine => ({
  lineId,
  sku: `SKU-${lineId}`,
  styleCode: `ST-${lineId}`,
  category: 'Coat',
  qty,
  unitFen,
  overridden: false,
  manual: null,
  ...more,
});
const promo = (id: string, more: Partial<Promotion>): Promotion => ({
  id,
  kind: 'percent_off',
  name: n,
  scope: { kind: 'all' },
  percentBp: 0,
  priceFen: 0,
  thresholdFen: 0,
  offFen: 0,
  repeat: false,
  couponsAllowed: true,
  withItemPromotions: true,
  ...more,
});
const amount = (code: string, valueFen: number, stackable = true): Coupon => ({
  code,
  kind: 'amount',
  name: n,
  valueFen,
  thresholdFen: 0,
  percentBp: 0,
  stackable,
});
const threshold = (code: string, thresholdFen: number, valueFen: number): Coupon => ({
  code,
  kind: 'threshold',
  name: n,
  valueFen,
  thresholdFen,
  percentBp: 0,
  stackable: true,
});
const percent = (code: string, percentBp: number, stackable = false): Coupon => ({
  code,
  kind: 'percent',
  name: n,
  valueFen: 0,
  thresholdFen: 0,
  percentBp,
  stackable,
});

/** The ¥1.1 bundle: one ¥111 no-threshold, two "¥1000 − ¥300", one "¥1300 − ¥400", all stackable. */
const bundle = [
  amount('B111', 11_100),
  threshold('B300a', 100_000, 30_000),
  threshold('B300b', 100_000, 30_000),
  threshold('B400', 130_000, 40_000),
];

describe('priceCart', () => {
  it.each([
    {
      name: 'bundle, ¥3,400 cart: every coupon fits (thresholds 1300+1000+1000 ≤ 3400) → ¥1,111 off',
      lines: [line('a', 180_000), line('b', 160_000)],
      coupons: bundle,
      total: 228_900,
      active: ['B111', 'B300a', 'B300b', 'B400'],
    },
    {
      name: 'bundle, ¥2,600 cart: best fitting set is ¥1300−400 + ¥1000−300, plus ¥111',
      lines: [line('a', 130_000, 2)],
      coupons: bundle,
      total: 260_000 - 70_000 - 11_100,
      active: ['B111', 'B300a', 'B400'],
    },
    {
      name: 'bundle, ¥2,000 cart: two ¥1000−300 (600) beat one ¥1300−400 (400)',
      lines: [line('a', 100_000), line('b', 100_000)],
      coupons: bundle,
      total: 200_000 - 60_000 - 11_100,
      active: ['B111', 'B300a', 'B300b'],
    },
    {
      name: 'bundle, ¥999 cart: only the no-threshold ¥111',
      lines: [line('a', 99_900)],
      coupons: bundle,
      total: 88_800,
      active: ['B111'],
    },
    {
      name: 'no-threshold coupon larger than the cart takes it to zero, not below',
      lines: [line('a', 5_000)],
      coupons: [amount('A', 11_100)],
      total: 0,
      active: ['A'],
    },
    {
      name: 'percent coupon 15% off after promotions',
      lines: [line('a', 29_900, 3)],
      coupons: [percent('P15', 1500)],
      total: 89_700 - 13_455,
      active: ['P15'],
    },
    {
      name: 'stacking conflict: a non-stackable percent coupon stands alone, the later amount coupon is refused',
      lines: [line('a', 50_000)],
      coupons: [percent('P15', 1500), amount('A', 5_000)],
      total: 42_500,
      active: ['P15'],
    },
  ])('$name', ({ lines, coupons, total, active }) => {
    const r = priceCart({ lines, promotions: [], coupons, pointsFen: 0 });
    expect(r.totals.totalFen).toBe(total);
    expect(r.coupons.filter((c) => c.active).map((c) => c.code)).toEqual(active);
    expect(r.lines.reduce((a, l) => a + l.totalFen, 0)).toBe(total);
    expect(r.totals.subtotalFen - r.totals.discountFen).toBe(total);
  });

  it('takes the best item promotion per line, and none on a line with a manual discount or override', () => {
    const promotions = [
      promo('p20', { percentBp: 2000 }),
      promo('fixed', { kind: 'fixed_price', priceFen: 19_900, scope: { kind: 'styles', codes: ['ST-a'] } }),
    ];
    const r = priceCart({
      lines: [
        line('a', 29_900),
        line('b', 10_000),
        line('c', 10_000, 1, { manual: { kind: 'amount', amountFen: 500 } }),
        line('d', 8_000, 1, { overridden: true }),
      ],
      promotions,
      coupons: [],
      pointsFen: 0,
    });
    expect(r.lines.map((l) => [l.promotions.map((p) => p.id), l.promotionDiscountFen, l.manualDiscountFen, l.totalFen])).toEqual([
      [['fixed'], 10_000, 0, 19_900],
      [['p20'], 2_000, 0, 8_000],
      [[], 0, 500, 9_500],
      [[], 0, 0, 8_000],
    ]);
  });

  it.each([
    { name: '满1000减300 once', repeat: false, lines: [line('a', 120_000), line('b', 90_000)], off: 30_000 },
    { name: '每满1000减300', repeat: true, lines: [line('a', 120_000), line('b', 90_000)], off: 60_000 },
    { name: 'under the threshold', repeat: false, lines: [line('a', 99_999)], off: 0 },
  ])('spend threshold: $name', ({ repeat, lines, off }) => {
    const r = priceCart({
      lines,
      promotions: [promo('t', { kind: 'spend_threshold', thresholdFen: 100_000, offFen: 30_000, repeat })],
      coupons: [],
      pointsFen: 0,
    });
    expect(r.totals.promotionDiscountFen).toBe(off);
    expect(r.lines.reduce((a, l) => a + l.orderDiscountFen, 0)).toBe(off);
  });

  it('spend threshold counts item-promoted lines only when the promotion allows it', () => {
    const promotions = [
      promo('p10', { percentBp: 1000, scope: { kind: 'skus', codes: ['SKU-a'] } }),
      promo('t', { kind: 'spend_threshold', thresholdFen: 100_000, offFen: 30_000, withItemPromotions: false }),
    ];
    const r = priceCart({ lines: [line('a', 60_000), line('b', 60_000)], promotions, coupons: [], pointsFen: 0 });
    // Only line b (¥600) counts: under ¥1000, no threshold discount.
    expect(r.promotions).toEqual([]);
    expect(r.totals.totalFen).toBe(54_000 + 60_000);
  });

  it('keeps coupons off lines whose promotion forbids them (stacking rule per promotion)', () => {
    const promotions = [promo('noCoupons', { percentBp: 3000, couponsAllowed: false, scope: { kind: 'skus', codes: ['SKU-a'] } })];
    const only = priceCart({ lines: [line('a', 10_000)], promotions, coupons: [amount('A', 1_000)], pointsFen: 0 });
    expect(only.coupons[0]).toEqual({ code: 'A', discountFen: 0, active: false, reason: 'no_eligible_items' });
    const mixed = priceCart({ lines: [line('a', 10_000), line('b', 5_000)], promotions, coupons: [amount('A', 1_000)], pointsFen: 0 });
    expect(mixed.lines.map((l) => l.orderDiscountFen)).toEqual([0, 1_000]);
  });

  it('allocates order discounts by largest remainder with odd fen, summing exactly', () => {
    const r = priceCart({
      lines: [line('a', 3_333), line('b', 3_333), line('c', 3_334)],
      promotions: [],
      coupons: [amount('A', 1_001)],
      pointsFen: 0,
    });
    expect(r.lines.map((l) => l.orderDiscountFen)).toEqual([334, 333, 334]);
    expect(r.lines.map((l) => l.totalFen)).toEqual([2_999, 3_000, 3_000]);
  });

  it('redeems points on what is left, capped at the amount to pay', () => {
    const r = priceCart({ lines: [line('a', 10_000)], promotions: [], coupons: [amount('A', 2_000)], pointsFen: 3_000 });
    expect(r.totals).toMatchObject({ couponDiscountFen: 2_000, pointsFen: 3_000, totalFen: 5_000 });
    const capped = priceCart({ lines: [line('a', 10_000)], promotions: [], coupons: [], pointsFen: 50_000 });
    expect(capped.pointsFen).toBe(10_000);
    expect(capped.totals.totalFen).toBe(0);
  });

  it('prices an empty cart to zero with its coupons inactive', () => {
    const r = priceCart({ lines: [], promotions: [], coupons: [amount('A', 100)], pointsFen: 100 });
    expect(r.totals.totalFen).toBe(0);
    expect(r.coupons[0]?.active).toBe(false);
  });
});
