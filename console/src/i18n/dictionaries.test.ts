import { describe, expect, it } from 'vitest';
import { DICTIONARIES, createTranslate } from './translate.js';
import { zhCN } from './zh-CN.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the finance console’s dictionaries', () => {
  it.each(Object.keys(DICTIONARIES))('%s has every key of the Chinese reference, with the same placeholders', (language) => {
    const dictionary = DICTIONARIES[language as keyof typeof DICTIONARIES];
    expect(Object.keys(dictionary).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [key, text] of Object.entries(zhCN))
      expect({ key, placeholders: placeholders(dictionary[key as keyof typeof zhCN]) }).toEqual({ key, placeholders: placeholders(text) });
  });

  it('fills the placeholders of a key in each language', () => {
    expect(createTranslate('zh-CN')('row.resolvedBy', { who: 'admin', when: '2026-12-08 09:41' })).toBe('admin 于 2026-12-08 09:41 处理');
    expect(createTranslate('en')('row.resolvedBy', { who: 'admin', when: '2026-12-08 09:41' })).toBe('by admin at 2026-12-08 09:41');
  });
});
