import { expect, it } from 'vitest';
import { yuan } from './money.js';

it('formats yuan with the full-width sign GBK printers have', () => {
  expect(yuan(123456)).toBe('￥1,234.56');
  expect(yuan(-5)).toBe('-￥0.05');
});

it('writes receipt amounts with thousands separators and a sign', () => {
  expect(yuan(-123456)).toBe('-￥1,234.56');
});
