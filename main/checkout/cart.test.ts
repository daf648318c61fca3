import { describe, expect, it } from 'vitest';
import type { ReturnLine, TenderMethod } from '../api/contract.js';
import { emptyCart, planRefunds, renderCart } from './cart.js';
import type { CartData } from './cart.js';
import type { Coupon, Promotion } from './pricing.js';
import type { RefundSource } from '../../sync/protocol/refund-sources.js';
import { testCartItem as item, testPromotion } from '../testing/cart-fixtures.js';

// How a negative cart's money goes back, per payment. The till path is in
// main/returns/refund-money.test.ts; these pin planRefunds' own rules.

describe('planRefunds', () => {
  it('goes back to the payments in refund order, the rest in cash, and leaves the sources as they were', () => {
    const sources: RefundSource<TenderMethod>[] = [
      { method: 'cash', availableFen: 1_000 },
      { method: 'card', availableFen: 2_000, reference: 'C-1' },
    ];
    expect(planRefunds(2_500, sources)).toEqual([
      { method: 'card', amountFen: 2_000, reference: 'C-1' },
      { method: 'cash', amountFen: 500 },
    ]);
    expect(planRefunds(4_000, sources)).toEqual([
      { method: 'card', amountFen: 2_000, reference: 'C-1' },
      // Cash beyond what was paid in cash (a no-receipt line) is added to the cash refund, not a second one.
      { method: 'cash', amountFen: 2_000 },
    ]);
    expect(sources).toEqual([
      { method: 'cash', availableFen: 1_000 },
      { method: 'card', availableFen: 2_000, reference: 'C-1' },
    ]);
  });

  it('pays in cash what no payment can take back', () => {
    expect(planRefunds(700, [])).toEqual([{ method: 'cash', amountFen: 700 }]);
    expect(planRefunds(700, [{ method: 'alipay', availableFen: 300, reference: 'A-1' }])).toEqual([
      { method: 'alipay', amountFen: 300, reference: 'A-1' },
      { method: 'cash', amountFen: 400 },
    ]);
  });

  it('plans nothing for nothing', () => {
    expect(planRefunds(0, [{ method: 'card', availableFen: 300 }])).toEqual([]);
  });
});

describe('renderCart', () => {
  const n = { zh: 'x', en: 'x' };
  const returned = (lineId: string, qty: number, refundFen: number): ReturnLine => ({
    lineId,
    saleLineId: `s-${lineId}`,
    sku: `SKU-${lineId}`,
    name: n,
    colour: n,
    size: 'M',
    qty,
    unitPaidFen: refundFen / qty,
    refundFen,
  });
  const tenPercent = testPromotion('p-10', { name: n, percentBp: 1_000 });
  const render = (data: CartData, promotions: Promotion[] = [], pointsValueFen = 0) =>
    renderCart(data, { promotions, member: null, pointsValueFen, offline: true, couponOffline: false, now: '2026-11-22T02:00:00.000Z' })
      .state;

  it('cannot complete an empty cart or one with money due; counts sold and returned units', () => {
    const empty = render(emptyCart('c'));
    expect(empty.canComplete).toBe(false);
    expect(empty.totals).toMatchObject({ itemCount: 0, dueFen: 0 });
    const due = render({ ...emptyCart('c'), items: [item('a', 2, 1_000), item('b', 1, 500)] });
    expect(due.canComplete).toBe(false);
    expect(due.totals).toMatchObject({ itemCount: 3, totalFen: 2_500, dueFen: 2_500, paidFen: 0 });
    const paid = render({
      ...emptyCart('c'),
      items: [item('a', 2, 1_000)],
      tenders: [{ tenderId: 't', method: 'cash', amountFen: 2_000, givenFen: 2_100, changeFen: 100 }],
    });
    expect(paid.canComplete).toBe(true);
    expect(paid.totals).toMatchObject({ itemCount: 2, paidFen: 2_000, dueFen: 0, changeFen: 100 });
    const exchange = render({
      ...emptyCart('c'),
      items: [item('a', 1, 1_000)],
      ret: { receiptNo: 'R', saleId: 's', lines: [returned('r', 2, 3_000)] },
      refundSources: [{ method: 'card', availableFen: 1_500, reference: 'C-1' }],
    });
    expect(exchange.totals).toMatchObject({ itemCount: 3, refundFen: 3_000, netFen: -2_000, dueFen: 0 });
    expect(exchange.canComplete).toBe(true);
  });

  it('refunds per method when the cart nets negative (two card payments are one card refund), and none otherwise', () => {
    const ret = { receiptNo: 'R', saleId: 's', lines: [returned('r', 1, 5_000)] };
    const back = render({
      ...emptyCart('c'),
      ret,
      refundSources: [
        { method: 'card', availableFen: 2_000, reference: 'C-1' },
        { method: 'card', availableFen: 1_000, reference: 'C-2' },
      ],
    });
    // A return alone (nothing sold) can complete: nothing is due.
    expect(back.canComplete).toBe(true);
    expect(back.refunds).toEqual([
      { method: 'card', amountFen: 3_000 },
      { method: 'cash', amountFen: 2_000 },
    ]);
    expect(render({ ...emptyCart('c'), items: [item('a', 1, 100)] }).refunds).toEqual([]);
  });

  it('shows points only when some are redeemed, and no item promotion on a price someone overrode', () => {
    const data: CartData = { ...emptyCart('c'), items: [item('a', 1, 10_000)] };
    expect(render(data).points).toBeNull();
    expect(render({ ...data, points: 300 }, [], 300).points).toEqual({ redeemed: 300, valueFen: 300, offline: true });
    expect(render(data, [tenPercent]).totals.totalFen).toBe(9_000);
    const overridden = {
      ...data,
      items: [item('a', 1, 10_000, { override: { unitFen: 8_000, reason: 'damaged', approvedBy: 'stf-01' } })],
    };
    expect(render(overridden, [tenPercent]).lines[0]).toMatchObject({ unitFen: 8_000, promotions: [], totalFen: 8_000 });
  });

  it('says why a coupon took nothing off', () => {
    const coupon: Coupon = { code: 'T', kind: 'threshold', name: n, valueFen: 100, thresholdFen: 99_999, percentBp: 0, stackable: true };
    const c = render({ ...emptyCart('c'), items: [item('a', 1, 1_000)], coupons: [coupon] }).coupons;
    expect(c).toEqual([
      { code: 'T', kind: 'threshold', name: n, discountFen: 0, active: false, reason: 'threshold_not_met', offline: false },
    ]);
  });
});
