import { describe, expect, it } from 'vitest';
import { planRefunds } from './cart.js';
import type { RefundSource } from './refund-sources.js';

// How a negative cart's money goes back, per payment. The till path is in
// main/returns/refund-money.test.ts; these pin planRefunds' own rules.

describe('planRefunds', () => {
  it('goes back to the payments in refund order, the rest in cash, and leaves the sources as they were', () => {
    const sources: RefundSource[] = [
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
