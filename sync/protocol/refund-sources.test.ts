import { describe, expect, it } from 'vitest';
import { fundingLeft, originalLinesRefundFen, refundFromOriginalFen, refundOrder, take } from './refund-sources.js';
import type { RefundSource, SaleLookup, SaleMoney } from './refund-sources.js';

// Where a refund's money goes back to, case by case. The whole path (sales written by the till,
// read back by SalesReader) is in main/returns/refund-money.test.ts; these pin each rule of the
// pure logic, which mutation testing (npm run mutation -- refunds) showed only partly covered there.

/** Sales as plain records, the shape SalesReader answers (returns in the order they were made). */
function lookup(sales: SaleMoney[]): SaleLookup {
  return {
    money: (id) => sales.find((s) => s.saleId === id),
    returnsOf: (id) => sales.filter((s) => s.originalSaleId === id),
  };
}

const sale = (saleId: string, tenders: SaleMoney['tenders'], more: Partial<SaleMoney> = {}): SaleMoney => ({
  saleId,
  originalSaleId: null,
  totalFen: tenders.reduce((a, t) => a + t.amountFen, 0),
  refundFen: 0,
  tenders,
  ...more,
});
const cash = (amountFen: number) => ({ method: 'cash' as const, amountFen, reference: null });
const card = (amountFen: number, reference: string | null = null) => ({ method: 'card' as const, amountFen, reference });

describe('refundOrder', () => {
  it('puts card and mobile money before cash, the biggest first within each', () => {
    const pool: RefundSource[] = [
      { method: 'cash', availableFen: 9_000 },
      { method: 'card', availableFen: 1_000 },
      { method: 'wechat', availableFen: 5_000 },
      { method: 'cash', availableFen: 200 },
    ];
    expect([...pool].sort(refundOrder)).toEqual([
      { method: 'wechat', availableFen: 5_000 },
      { method: 'card', availableFen: 1_000 },
      { method: 'cash', availableFen: 9_000 },
      { method: 'cash', availableFen: 200 },
    ]);
    expect(refundOrder({ method: 'card', availableFen: 1 }, { method: 'cash', availableFen: 1 })).toBe(-1);
    expect(refundOrder({ method: 'cash', availableFen: 1 }, { method: 'card', availableFen: 1 })).toBe(1);
    expect(refundOrder({ method: 'card', availableFen: 5 }, { method: 'card', availableFen: 5 })).toBe(0);
  });
});

describe('take', () => {
  it('takes in refund order, partly from the last source it needs, and leaves the rest in the pool', () => {
    const pool: RefundSource[] = [
      { method: 'cash', availableFen: 5_000 },
      { method: 'card', availableFen: 3_000, reference: 'C-1' },
      { method: 'alipay', availableFen: 1_000, reference: 'A-1' },
    ];
    expect(take(pool, 3_500)).toEqual([
      { method: 'card', availableFen: 3_000, reference: 'C-1' },
      { method: 'alipay', availableFen: 500, reference: 'A-1' },
    ]);
    expect(pool).toEqual([
      { method: 'cash', availableFen: 5_000 },
      { method: 'card', availableFen: 0, reference: 'C-1' },
      { method: 'alipay', availableFen: 500, reference: 'A-1' },
    ]);
    // An emptied source is skipped, not answered with 0.
    expect(take(pool, 1_000)).toEqual([
      { method: 'alipay', availableFen: 500, reference: 'A-1' },
      { method: 'cash', availableFen: 500 },
    ]);
  });

  it('takes nothing for nothing, and at most what the pool holds', () => {
    const pool: RefundSource[] = [{ method: 'card', availableFen: 700 }];
    expect(take(pool, 0)).toEqual([]);
    expect(take(pool, -5)).toEqual([]);
    expect(pool).toEqual([{ method: 'card', availableFen: 700 }]);
    expect(take(pool, 10_000)).toEqual([{ method: 'card', availableFen: 700 }]);
    expect(take(pool, 1)).toEqual([]);
  });
});

describe('fundingLeft', () => {
  it('is empty for a sale this device does not know', () => {
    expect(fundingLeft('nope', lookup([]))).toEqual([]);
  });

  it('adds up tenders of one method and reference, keeps other references apart, and skips change and refunds', () => {
    const s = sale('s1', [cash(1_000), cash(500), card(2_000, 'C-1'), card(300, 'C-2'), card(100, 'C-1'), cash(-200), cash(0)]);
    expect(fundingLeft('s1', lookup([s]))).toEqual([
      { method: 'cash', availableFen: 1_500 },
      { method: 'card', availableFen: 2_100, reference: 'C-1' },
      { method: 'card', availableFen: 300, reference: 'C-2' },
    ]);
  });

  it('takes earlier returns out in refund order, only those made before `before`', () => {
    const s = sale('s1', [cash(5_000), card(3_000)]);
    const r1 = sale('r1', [card(-2_000)], { originalSaleId: 's1', totalFen: 0, refundFen: 2_000 });
    const r2 = sale('r2', [card(-1_000), cash(-1_500)], { originalSaleId: 's1', totalFen: 0, refundFen: 2_500 });
    const sales = lookup([s, r1, r2]);
    expect(fundingLeft('s1', sales)).toEqual([{ method: 'cash', availableFen: 3_500 }]);
    expect(fundingLeft('s1', sales, 'r2')).toEqual([
      { method: 'cash', availableFen: 5_000 },
      { method: 'card', availableFen: 1_000 },
    ]);
    expect(fundingLeft('s1', sales, 'r1')).toEqual([
      { method: 'cash', availableFen: 5_000 },
      { method: 'card', availableFen: 3_000 },
    ]);
  });

  it("follows an exchange's credit to the original sale's money, as it stood when the exchange was made", () => {
    // s1 paid 10,000 by card; the exchange x1 returned items worth 6,000 and bought 8,000 of new
    // ones: 6,000 of its price is the original card money, 2,000 was paid in cash.
    const s1 = sale('s1', [card(10_000, 'C-1')]);
    const x1 = sale('x1', [cash(2_000)], { originalSaleId: 's1', totalFen: 8_000, refundFen: 6_000 });
    const sales = lookup([s1, x1]);
    expect(fundingLeft('x1', sales)).toEqual([
      { method: 'cash', availableFen: 2_000 },
      { method: 'card', availableFen: 6_000, reference: 'C-1' },
    ]);
    // What is left of s1 once x1 took its refund (6,000 credit) out.
    expect(fundingLeft('s1', sales)).toEqual([{ method: 'card', availableFen: 4_000, reference: 'C-1' }]);
  });

  it('credits an exchange at most what its new items cost (the rest was paid back)', () => {
    const s1 = sale('s1', [card(10_000)]);
    const x1 = sale('x1', [cash(-3_000)], { originalSaleId: 's1', totalFen: 5_000, refundFen: 8_000 });
    expect(fundingLeft('x1', lookup([s1, x1]))).toEqual([{ method: 'card', availableFen: 5_000 }]);
  });

  it('credits an exchange from what is left after its refund went back (card money refunded to the card does not pay the new items too)', () => {
    // s1 paid 10,000 by card and 10,000 in cash. The exchange x1 returned all of it (20,000) and
    // bought 5,000 of new items: 15,000 went back in refund order, the card's 10,000 and 5,000 of
    // the cash, so the new items were paid with the other 5,000 of the cash.
    const s1 = sale('s1', [card(10_000, 'C-1'), cash(10_000)]);
    const x1 = sale('x1', [card(-10_000, 'C-1'), cash(-5_000)], { originalSaleId: 's1', totalFen: 5_000, refundFen: 20_000 });
    const sales = lookup([s1, x1]);
    // Returning x1's new items pays back cash: a card refund here would put 15,000 on a card that paid 10,000.
    expect(fundingLeft('x1', sales)).toEqual([{ method: 'cash', availableFen: 5_000 }]);
    expect(fundingLeft('s1', sales)).toEqual([]);
  });

  it('counts what items returned without a receipt paid of an exchange as cash: they were refunded in cash', () => {
    // s1 paid 10,000 by card. The exchange x1 took back s1's item (10,000) and a coat bought
    // elsewhere (13,000, no receipt), and sold two coats (26,000): 3,000 more by card.
    const s1 = sale('s1', [card(10_000, 'C-1')]);
    const x1 = sale('x1', [card(3_000, 'C-2')], { originalSaleId: 's1', totalFen: 26_000, refundFen: 10_000 });
    expect(fundingLeft('x1', lookup([s1, x1]))).toEqual([
      { method: 'card', availableFen: 3_000, reference: 'C-2' },
      { method: 'card', availableFen: 10_000, reference: 'C-1' },
      { method: 'cash', availableFen: 13_000 },
    ]);
    // Paid partly in cash itself: the no-receipt part joins that cash.
    const x2 = sale('x2', [cash(3_000)], { originalSaleId: 's1', totalFen: 26_000, refundFen: 10_000 });
    expect(fundingLeft('x2', lookup([s1, x2]))).toEqual([
      { method: 'cash', availableFen: 16_000 },
      { method: 'card', availableFen: 10_000, reference: 'C-1' },
    ]);
    // Paid by a card with no reference: the no-receipt part is still cash, not that card's.
    const x4 = sale('x4', [card(3_000)], { originalSaleId: 's1', totalFen: 26_000, refundFen: 10_000 });
    expect(fundingLeft('x4', lookup([s1, x4]))).toEqual([
      { method: 'card', availableFen: 3_000 },
      { method: 'card', availableFen: 10_000, reference: 'C-1' },
      { method: 'cash', availableFen: 13_000 },
    ]);
    // Its own cash with a reference (a cash register's slip) stays its own entry.
    const x3 = sale('x3', [{ method: 'cash', amountFen: 3_000, reference: 'SLIP-1' }], {
      originalSaleId: 's1',
      totalFen: 26_000,
      refundFen: 10_000,
    });
    expect(fundingLeft('x3', lookup([s1, x3]))).toEqual([
      { method: 'cash', availableFen: 3_000, reference: 'SLIP-1' },
      { method: 'card', availableFen: 10_000, reference: 'C-1' },
      { method: 'cash', availableFen: 13_000 },
    ]);
  });

  it('gives a plain return (nothing bought) no credit from the original sale', () => {
    const s1 = sale('s1', [card(10_000)]);
    const r1 = sale('r1', [card(-4_000)], { originalSaleId: 's1', totalFen: 0, refundFen: 4_000 });
    expect(fundingLeft('r1', lookup([s1, r1]))).toEqual([]);
  });

  it('follows a chain of exchanges back to the first card, and no further than 16 links', () => {
    const chain = (links: number): SaleMoney[] => [
      sale('x0', [card(1_000, 'C-1')]),
      ...Array.from({ length: links }, (_, i) => sale(`x${i + 1}`, [], { originalSaleId: `x${i}`, totalFen: 1_000, refundFen: 1_000 })),
    ];
    expect(fundingLeft('x16', lookup(chain(16)))).toEqual([{ method: 'card', availableFen: 1_000, reference: 'C-1' }]);
    // x17 is 17 links from x0: the 17th is not followed, so x17's credit has no source.
    expect(fundingLeft('x17', lookup(chain(17)))).toEqual([]);
  });
});

describe('fundingLeft keeps each payment whole across an exchange that paid some back', () => {
  /** What every source of `sales` can still give back, per method and reference, summed. */
  const left = (sales: SaleLookup, ids: string[]) => {
    const out: Record<string, number> = {};
    for (const id of ids)
      for (const s of fundingLeft(id, sales))
        out[`${s.method}:${s.reference ?? ''}`] = (out[`${s.method}:${s.reference ?? ''}`] ?? 0) + s.availableFen;
    return out;
  };

  it('never promises a payment more than it paid: the original and the exchange together hold what the exchange did not pay back', () => {
    // s1: 5,000 by card, 4,000 by WeChat Pay. The exchange x1 returns items worth 6,000 and buys
    // one of 3,000: 3,000 went back in refund order (the card, the biggest), 3,000 paid the new item.
    const s1 = sale('s1', [card(5_000, 'C-1'), { method: 'wechat', amountFen: 4_000, reference: 'W-1' }]);
    const x1 = sale('x1', [card(-3_000, 'C-1')], { originalSaleId: 's1', totalFen: 3_000, refundFen: 6_000 });
    const sales = lookup([s1, x1]);
    // 9,000 paid, 3,000 of it back on the card: 2,000 of the card and all 4,000 of WeChat Pay are
    // still to go back (to s1's remaining items or x1's new one), and no more of either.
    const total = left(sales, ['s1', 'x1']);
    expect(total['wechat:W-1']).toBeLessThanOrEqual(4_000);
    expect(total).toEqual({ 'card:C-1': 2_000, 'wechat:W-1': 4_000 });
  });
});

describe("a return's take from its original sale", () => {
  it('counts only its returned lines of the original: not lines returned without a receipt, not sold lines', () => {
    const line = (qty: number, totalFen: number, originalLineId: string | null) => ({ qty, totalFen, originalLineId });
    expect(originalLinesRefundFen([line(-1, -10_000, 'l1'), line(-2, -26_000, null), line(1, 13_000, null)])).toBe(10_000);
    expect(originalLinesRefundFen([line(-1, -10_000, 'l1'), line(-1, -5_000, 'l2')])).toBe(15_000);
    expect(originalLinesRefundFen([line(-1, -13_000, null)])).toBe(0);
    expect(originalLinesRefundFen([])).toBe(0);
  });

  it('goes back over its payments less what paid for new items, never below nothing', () => {
    expect(refundFromOriginalFen(10_000, 0)).toBe(10_000);
    expect(refundFromOriginalFen(10_000, 4_000)).toBe(6_000);
    expect(refundFromOriginalFen(10_000, 10_000)).toBe(0);
    expect(refundFromOriginalFen(10_000, 13_000)).toBe(0);
  });
});
