// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { DICTIONARIES, createTranslate } from './translate.js';
import { zhCN } from './zh-CN.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('gives every language the same placeholders as Chinese, key by key', () => {
    for (const [language, dictionary] of Object.entries(DICTIONARIES)) {
      for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
        expect(placeholders(dictionary[key]), `${language} ${key}`).toEqual(placeholders(zhCN[key]));
      }
    }
  });

  it('fills parameters', () => {
    expect(createTranslate('zh-CN')('lookup.notFoundBarcode', { code: '6901234567892' })).toBe('条码 6901234567892 不在商品目录中');
    expect(createTranslate('en')('sync.notConfigured', { count: 3 })).toBe('HQ not connected · 3 waiting');
  });
});
