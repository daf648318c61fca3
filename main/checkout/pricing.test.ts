import { describe, expect, it } from 'vitest';
import { priceCart } from './pricing.js';
import type { Coupon, PricingLine, Promotion } from './pricing.js';
import { testPromotion as promo } from '../testing/cart-fixtures.js';

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

describe('priceCart: what the mutation run showed untested', () => {
  const price = (lines: PricingLine[], promotions: Promotion[] = [], coupons: Coupon[] = [], pointsFen = 0) =>
    priceCart({ lines, promotions, coupons, pointsFen });

  it('scopes a promotion to a category', () => {
    const r = price(
      [line('a', 10_000, 1, { category: 'Coat' }), line('b', 10_000, 1, { category: 'Shirt' })],
      [promo('coats', { percentBp: 2_000, scope: { kind: 'categories', names: ['Coat'] } })],
    );
    expect(r.lines.map((l) => l.promotionDiscountFen)).toEqual([2_000, 0]);
  });

  it('takes a manual percent off the line, and counts it in the totals', () => {
    const r = price([line('a', 9_999, 1, { manual: { kind: 'percent', percent: 15 } }), line('b', 1_000)]);
    expect(r.lines.map((l) => l.manualDiscountFen)).toEqual([1_500, 0]);
    expect(r.totals).toMatchObject({ manualDiscountFen: 1_500, discountFen: 1_500, totalFen: 9_499 });
  });

  it('gives a line the best item promotion only, and none that takes nothing off', () => {
    const promotions = [
      promo('fixed-high', { kind: 'fixed_price', priceFen: 20_000 }),
      promo('ten', { percentBp: 1_000 }),
      promo('fixed', { kind: 'fixed_price', priceFen: 7_000 }),
      promo('twenty', { percentBp: 2_000 }),
    ];
    expect(price([line('a', 10_000)], promotions).lines[0]!.promotions.map((p) => [p.id, p.discountFen])).toEqual([['fixed', 3_000]]);
    expect(price([line('a', 10_000)], [promotions[0]!]).lines[0]!.promotions).toEqual([]);
    // A spend threshold is never an item promotion, even when it would take more off.
    const spend = promo('spend', { kind: 'spend_threshold', thresholdFen: 5_000, offFen: 4_000 });
    const r = price([line('a', 10_000)], [promotions[1]!, spend]);
    expect(r.lines[0]!.promotions.map((p) => p.id)).toEqual(['ten']);
    expect(r.promotions.map((p) => [p.id, p.discountFen])).toEqual([['spend', 4_000]]);
  });

  it('applies a spend threshold from exactly its threshold, never with a zero threshold, and the best of several', () => {
    const at = (thresholdFen: number, offFen: number, id = 'spend') => promo(id, { kind: 'spend_threshold', thresholdFen, offFen });
    expect(price([line('a', 10_000)], [at(10_000, 1_000)]).totals.totalFen).toBe(9_000);
    expect(price([line('a', 9_999)], [at(10_000, 1_000)]).totals.totalFen).toBe(9_999);
    expect(price([line('a', 10_000)], [at(0, 1_000)]).totals.totalFen).toBe(10_000);
    const r = price([line('a', 10_000)], [at(5_000, 500, 'small'), at(8_000, 1_500, 'big'), at(9_000, 1_000, 'mid')]);
    expect(r.promotions).toEqual([{ id: 'big', kind: 'spend_threshold', name: n, discountFen: 1_500 }]);
    expect(r.totals).toMatchObject({ promotionDiscountFen: 1_500, totalFen: 8_500 });
    expect(r.lines[0]!.orderDiscountFen).toBe(1_500);
  });

  it('leaves lines with an item promotion, a manual discount or an override out of a threshold that says so', () => {
    const spend = promo('spend', { kind: 'spend_threshold', thresholdFen: 10_000, offFen: 1_000, withItemPromotions: false });
    const item = promo('ten', { percentBp: 1_000, scope: { kind: 'skus', codes: ['SKU-a'] } });
    const lines = [
      line('a', 10_000),
      line('b', 10_000, 1, { manual: { kind: 'amount', amountFen: 1 } }),
      line('c', 10_000, 1, { overridden: true }),
    ];
    expect(price(lines, [item, spend]).promotions).toEqual([]);
    expect(price([...lines, line('d', 10_000)], [item, spend]).lines.map((l) => l.orderDiscountFen)).toEqual([0, 0, 0, 1_000]);
  });

  it('keeps coupons off lines under a threshold promotion that does not allow them', () => {
    const spend = promo('spend', {
      kind: 'spend_threshold',
      thresholdFen: 10_000,
      offFen: 1_000,
      couponsAllowed: false,
      scope: { kind: 'skus', codes: ['SKU-a'] },
    });
    const r = price([line('a', 10_000), line('b', 5_000)], [spend], [amount('A', 800)]);
    expect(r.couponBaseFen).toBe(5_000);
    expect(r.lines.map((l) => l.totalFen)).toEqual([9_000, 4_200]);
  });

  it('refuses more than ten coupons, and takes ten', () => {
    const coupons = Array.from({ length: 11 }, (_, i) => amount(`C${i}`, 1));
    expect(() => price([line('a', 10_000)], [], coupons)).toThrow('at most 10 coupons');
    expect(price([line('a', 10_000)], [], coupons.slice(0, 10)).totals.couponDiscountFen).toBe(10);
  });

  it('lets a single non-stackable coupon stand, and refuses every later one with a reason', () => {
    expect(price([line('a', 10_000)], [], [percent('P', 1_000)]).coupons).toEqual([{ code: 'P', discountFen: 1_000, active: true }]);
    expect(price([line('a', 10_000)], [], [percent('P', 1_000), amount('A', 100)]).coupons).toEqual([
      { code: 'P', discountFen: 1_000, active: true },
      { code: 'A', discountFen: 0, active: false, reason: 'does_not_stack' },
    ]);
  });

  it('prefers fewer threshold coupons for the same amount off, and says why the others were not used', () => {
    const r = price([line('a', 1_000)], [], [threshold('B', 500, 150), threshold('C', 500, 150), threshold('A', 1_000, 300)]);
    expect(r.coupons).toEqual([
      { code: 'B', discountFen: 0, active: false, reason: 'threshold_not_met' },
      { code: 'C', discountFen: 0, active: false, reason: 'threshold_not_met' },
      { code: 'A', discountFen: 300, active: true },
    ]);
  });

  it('counts points in the order discount of the lines they were taken from', () => {
    const r = price([line('a', 1_000), line('b', 3_000)], [], [], 400);
    expect(r.lines.map((l) => [l.orderDiscountFen, l.totalFen])).toEqual([
      [100, 900],
      [300, 2_700],
    ]);
  });
});
