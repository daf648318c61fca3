import { describe, expect, it } from 'vitest';
import { checkoutEn } from '../features/checkout/checkout.en.js';
import { checkoutZhCN } from '../features/checkout/checkout.zh-CN.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('checkout texts', () => {
  it('give every English text the same {placeholders} as its Chinese one', () => {
    const wrong = Object.entries(checkoutZhCN)
      .filter(([key, zh]) => placeholders(zh).join() !== placeholders(checkoutEn[key as keyof typeof checkoutZhCN]).join())
      .map(([key]) => key);
    expect(wrong).toEqual([]);
  });

  it('leave no text empty', () => {
    expect(Object.entries(checkoutEn).filter(([, text]) => !text.trim())).toEqual([]);
    expect(Object.entries(checkoutZhCN).filter(([, text]) => !text.trim())).toEqual([]);
  });
});
