import { describe, expect, it } from 'vitest';
import { PAGE_HEADS_MAX_LENGTH, pageHeadsText, parsePageHeads } from './feed.js';

describe("a pull answer's pages in brief (PULL_PAGES_HEADER)", () => {
  it('reads back what HQ wrote, cursors of any text included, as header-safe ASCII', () => {
    const pages = [
      { scope: 'brand:SFL', cursor: '1234:3:SF26W0498-250-XXL', more: true },
      { scope: 'store:loc-S001', cursor: '1200:2:顾客 "甲"\\,', more: false },
    ];
    const text = pageHeadsText(pages);
    expect(text).toMatch(/^[\x21-\x7e]+$/);
    expect(parsePageHeads(text)).toEqual(pages);
  });

  it('is left out when it would be long (8 scopes of 512-character cursors in Chinese): HTTP limits headers', () => {
    const pages = Array.from({ length: 8 }, (_, i) => ({ scope: `store:S${i}`, cursor: '顾'.repeat(512), more: true }));
    expect(pageHeadsText(pages)).toBeNull();
    expect(pageHeadsText(pages.slice(0, 1).map((p) => ({ ...p, cursor: '1:2:SKU' })))?.length).toBeLessThan(100);
  });

  it('is sent and read at exactly its longest', () => {
    const pages = Array.from({ length: 8 }, (_, i) => ({ scope: `store:S${i}`, cursor: 'c'.repeat(500), more: true }));
    // 8 × 512 characters is too long.
    expect(pageHeadsText(pages.map((p) => ({ ...p, cursor: 'c'.repeat(512) })))).toBeNull();
    const short = encodeURIComponent(JSON.stringify(pages.map((p) => [p.scope, p.cursor, p.more]))).length;
    const last = pages[7] as (typeof pages)[number];
    last.cursor = 'c'.repeat(500 + PAGE_HEADS_MAX_LENGTH - short);
    const text = pageHeadsText(pages);
    expect(text?.length).toBe(PAGE_HEADS_MAX_LENGTH);
    expect(parsePageHeads(text)).toEqual(pages);
  });

  it('is no hint at all when absent, mangled, or not pages', () => {
    const bad = [
      null,
      undefined,
      '',
      '%E0%A4%A', // not URI-encoded text
      encodeURIComponent('{"pages":1}'),
      encodeURIComponent('[]'),
      encodeURIComponent('[["brand:SFL","c"]]'),
      encodeURIComponent('[["brand:SFL","c","yes"]]'),
      encodeURIComponent('[["shop:SFL","c",true]]'),
      encodeURIComponent(JSON.stringify([['brand:SFL', 'c'.repeat(513), true]])),
      encodeURIComponent(JSON.stringify(Array.from({ length: 9 }, () => ['brand:SFL', 'c', true]))),
      encodeURIComponent(JSON.stringify([['brand:SFL', 'c'.repeat(500), true]])).padEnd(4097, ' '),
    ];
    for (const text of bad) expect(parsePageHeads(text), String(text).slice(0, 40)).toBeNull();
  });
});
