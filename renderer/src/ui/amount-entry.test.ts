import { describe, expect, it } from 'vitest';
import { parseYuanToFen, quickAmounts, typeAmountKey } from './amount-entry.js';
import { fenToYuanText } from './format/money.js';

describe('parseYuanToFen', () => {
  it.each([
    ['120', 12_000],
    ['99.5', 9_950],
    ['0.05', 5],
    ['0.1', 10],
    ['1.', 100],
    ['1000.99', 100_099],
  ])('%s → %i fen', (text, fen) => expect(parseYuanToFen(text)).toBe(fen));

  it.each(['', '.', '-1', '1.234', 'abc', '1,000', '1e3'])('refuses %j', (text) => expect(parseYuanToFen(text)).toBeUndefined());

  it('stays exact where floats would not (0.29 × 100 = 28.999…)', () => {
    expect(parseYuanToFen('0.29')).toBe(29);
    expect(parseYuanToFen('1234567.89')).toBe(123_456_789);
  });
});

describe('typeAmountKey', () => {
  const type = (keys: string[]) => keys.reduce(typeAmountKey, '');
  it('builds amounts key by key', () => {
    expect(type(['1', '2', '0'])).toBe('120');
    expect(type(['.', '5'])).toBe('0.5');
    expect(type(['9', '.', '9', '9', '9'])).toBe('9.99');
    expect(type(['1', '.', '.', '2'])).toBe('1.2');
    expect(type(['0', '0', '7'])).toBe('7');
    expect(type(['1', '2', 'back'])).toBe('1');
    expect(type(['1', '2', 'clear'])).toBe('');
  });
});

describe('quickAmounts', () => {
  it('offers the exact amount and the next round notes', () => {
    expect(quickAmounts(26_150)).toEqual([26_150, 27_000, 30_000, 40_000]);
    expect(quickAmounts(10_000)).toEqual([10_000, 20_000]);
    expect(quickAmounts(0)).toEqual([]);
  });
});

describe('fenToYuanText', () => {
  it('round-trips with parseYuanToFen', () => {
    for (const fen of [0, 5, 29, 100, 26_150, 123_456_789]) expect(parseYuanToFen(fenToYuanText(fen))).toBe(fen);
  });
});
