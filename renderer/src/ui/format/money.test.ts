// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { formatFen } from './money.js';

describe('formatFen', () => {
  it('formats fen as yuan with thousands separators and two decimals', () => {
    expect(formatFen(129900)).toBe('¥1,299.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
    expect(formatFen(-1250)).toBe('-¥12.50');
  });
});
