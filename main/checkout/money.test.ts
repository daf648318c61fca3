import { describe, expect, it } from 'vitest';
import { allocate, percentOf, percentToBp, unitsShare } from './money.js';

describe('percentOf', () => {
  it.each([
    [10_000, 1500, 1500],
    [999, 1500, 150], // 149.85 → 150 (half up)
    [333, 5000, 167], // 166.5 → 167
    [1, 4999, 0],
    [1, 5000, 1],
    [0, 2000, 0],
  ])('%i fen × %i bp = %i fen', (amount, bp, expected) => {
    expect(percentOf(amount, bp)).toBe(expected);
  });
  it('takes percent with two decimals exactly', () => {
    expect(percentToBp(12.34)).toBe(1234);
    expect(percentToBp(15)).toBe(1500);
  });
  it('refuses fractional fen', () => {
    expect(() => percentOf(10.5, 100)).toThrow(RangeError);
  });
});

describe('allocate (largest remainder)', () => {
  it.each([
    { total: 100, weights: [100, 100, 100], expected: [34, 33, 33] },
    { total: 101, weights: [1, 1], expected: [51, 50] },
    { total: 30_000, weights: [159_900, 39_900, 0], expected: [24_009, 5_991, 0] },
    { total: 7, weights: [1, 2, 4], expected: [1, 2, 4] },
    { total: 1, weights: [3, 5, 2], expected: [0, 1, 0] },
    { total: 0, weights: [0, 0], expected: [0, 0] },
  ])('$total over $weights → $expected', ({ total, weights, expected }) => {
    const shares = allocate(total, weights);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
  });
  it('refuses an amount over zero weights and negative weights', () => {
    expect(() => allocate(5, [0, 0])).toThrow(RangeError);
    expect(() => allocate(5, [1, -1, 3])).toThrow(RangeError);
  });
});

describe('unitsShare', () => {
  it('refunds 1 + 1 + 1 of 3 units to exactly the line total, odd fen included', () => {
    const parts = [unitsShare(1001, 3, 0, 1), unitsShare(1001, 3, 1, 1), unitsShare(1001, 3, 2, 1)];
    expect(parts).toEqual([333, 334, 334]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1001);
    expect(unitsShare(1001, 3, 0, 3)).toBe(1001);
    expect(unitsShare(1001, 3, 0, 2) + unitsShare(1001, 3, 2, 1)).toBe(1001);
  });
  it('refuses more units than the line had', () => {
    expect(() => unitsShare(1000, 2, 1, 2)).toThrow(RangeError);
  });
});

describe('money: what the mutation run showed untested', () => {
  it('rounds a negative amount half away from zero, the mirror of the positive one', () => {
    // A refund line's percent is the negative of the sale's: -149.85 → -150, never -149.
    expect(percentOf(-999, 1500)).toBe(-150);
    expect(percentOf(-333, 5000)).toBe(-167);
  });
  it('names the amount it refuses', () => {
    expect(() => percentOf(10.5, 100)).toThrow('amount must be integer fen, got 10.5');
    expect(() => allocate(5.5, [1])).toThrow('total must be integer fen, got 5.5');
    expect(() => allocate(5, [1, 0.5])).toThrow('weight must be integer fen, got 0.5');
    expect(() => allocate(5, [1, -1, 3])).toThrow('weights must not be negative');
    expect(() => allocate(5, [0, 0])).toThrow('cannot allocate a non-zero amount over zero weights');
  });
  it.each([
    { total: 1, weights: [1, 1, 1, 1, 1], expected: [1, 0, 0, 0, 0] },
    { total: 3, weights: [1, 1, 1, 1, 1], expected: [1, 1, 1, 0, 0] },
    { total: 4, weights: [2, 1, 1, 1, 1, 1, 1], expected: [1, 1, 1, 1, 0, 0, 0] },
    {
      total: 12,
      weights: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
      expected: [...Array<number>(12).fill(1), ...Array<number>(11).fill(0)],
    },
  ])('gives tied remainders to the earlier weights: $total over $weights', ({ total, weights, expected }) => {
    expect(allocate(total, weights)).toEqual(expected);
  });
  it('refuses a line quantity that is not a positive integer', () => {
    expect(() => unitsShare(1000, 0, 0, 0)).toThrow('qty must be a positive integer');
    expect(() => unitsShare(1000, -2, 0, 1)).toThrow('qty must be a positive integer');
    expect(() => unitsShare(1000, 1.5, 0, 1)).toThrow('qty must be a positive integer');
  });
  it('refuses negative unit counts, and takes zero units as zero fen', () => {
    expect(() => unitsShare(1000, 2, -1, 1)).toThrow('units out of range');
    expect(() => unitsShare(1000, 2, 1, -1)).toThrow('units out of range');
    expect(() => unitsShare(1000, 2, -1, -1)).toThrow('units out of range');
    expect(unitsShare(1000, 2, 1, 0)).toBe(0);
    expect(unitsShare(1000, 2, 0, 0)).toBe(0);
  });
  it('refunds a negative (exchange) line total in exact cumulative shares too', () => {
    expect([unitsShare(-1001, 3, 0, 1), unitsShare(-1001, 3, 1, 1), unitsShare(-1001, 3, 2, 1)]).toEqual([-333, -334, -334]);
  });
});
