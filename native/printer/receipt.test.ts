import { describe, expect, it } from 'vitest';
import { EscPosDecoder } from './escpos-decoder.js';
import type { DecodedItem } from './escpos-decoder.js';
import { renderEscPos, receiptSvg } from './render-receipt.js';
import type { ReceiptDocument, ReceiptKind } from './receipt-document.js';
import { yuan } from '../../sync/protocol/money.js';

const base: ReceiptDocument = {
  kind: 'sale',
  language: 'zh-CN',
  receiptNo: 'S001-7F3A-261122-0042',
  store: { name: '上海南京路店', code: 'S001' },
  issuedAt: '2026-11-22T16:30:00.000Z',
  timezone: 'Asia/Shanghai',
  lines: [{ name: 'T-shirt | basic_{x} -50%', qty: 1, unitFen: 9900, discountFen: 0, totalFen: 9900 }],
  totals: { subtotalFen: 9900, discountFen: 0, totalFen: 9900 },
  footer: ['价格 ¥99'],
};

function decode(bytes: Uint8Array): DecodedItem[] {
  return new EscPosDecoder().push(bytes);
}
const textOf = (items: DecodedItem[]) => items.flatMap((i) => (i.type === 'text' ? [i.line] : [])).join('\n');

describe('receipt template → ESC/POS', () => {
  it('prints markup characters in names literally, money as ￥ (GBK has no ¥), and store-local time', () => {
    const text = textOf(decode(renderEscPos(base, { mode: 'text-gb18030', paperMm: 80 }).bytes));
    expect(text).toContain('T-shirt | basic_{x} -50%');
    expect(text).toContain('价格 ￥99');
    expect(text).not.toContain('¥');
    // 16:30 UTC is 00:30 the next day in Shanghai.
    expect(text).toContain('时间: 2026-11-23 00:30:00');
    expect(yuan(-123456)).toBe('-￥1,234.56');
  });

  it('falls back visibly for characters outside the printer font, and prints them in raster mode', () => {
    const doc = { ...base, lines: [{ ...base.lines[0]!, name: '𠮷野家 䶮' }] };
    const text = renderEscPos(doc, { mode: 'text-gb18030', paperMm: 80 });
    expect(text.replacedChars).toBe(2);
    expect(textOf(decode(text.bytes))).toContain('□野家 □');
    const raster = decode(renderEscPos(doc, { mode: 'raster', paperMm: 58 }).bytes);
    const images = raster.filter((i) => i.type === 'raster');
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((i) => i.type === 'raster' && i.bitmap.width === 384)).toBe(true);
    expect(raster.some((i) => i.type === 'cut')).toBe(true);
  });

  it('appends the drawer kick after the cut when asked, and only then', () => {
    const kick = decode(renderEscPos(base, { mode: 'text-gb18030', paperMm: 80, kickDrawer: { pin: 1, onMs: 60, offMs: 240 } }).bytes);
    const types = kick.map((i) => i.type);
    expect(types.indexOf('drawer')).toBeGreaterThan(types.indexOf('cut'));
    expect(kick.find((i) => i.type === 'drawer')).toEqual({ type: 'drawer', pin: 1, onMs: 60, offMs: 240 });
    expect(decode(renderEscPos(base, { mode: 'text-gb18030', paperMm: 80 }).bytes).some((i) => i.type === 'drawer')).toBe(false);
  });

  it('renders every receipt kind in both languages, in both modes, and as SVG', () => {
    const kinds: ReceiptKind[] = ['sale', 'return', 'exchange', 'x_report', 'z_report', 'no_sale', 'test'];
    for (const kind of kinds) {
      for (const language of ['zh-CN', 'en'] as const) {
        const doc: ReceiptDocument = {
          ...base,
          kind,
          language,
          copy: kind === 'return',
          report: { title: 'Z', rows: [{ label: '现金', value: yuan(100) }] },
        };
        const items = decode(renderEscPos(doc, { mode: 'text-gb18030', paperMm: 58 }).bytes);
        expect(items.filter((i) => i.type === 'cut')).toHaveLength(1);
        expect(textOf(items)).toContain(language === 'en' ? 'No.: S001-7F3A-261122-0042' : '单号: S001-7F3A-261122-0042');
        expect(receiptSvg(doc, { paperMm: 58 })).toMatch(/^<svg width="384px"/);
      }
    }
    const copy = textOf(decode(renderEscPos({ ...base, copy: true }, { mode: 'text-gb18030', paperMm: 80 }).bytes));
    expect(copy).toContain('重印 COPY');
  });

  it('decodes a byte stream cut at any point the same as in one piece', () => {
    const bytes = renderEscPos({ ...base, qr: { url: 'https://m.shopfloor.example/m/1' } }, { mode: 'text-gb18030', paperMm: 80 }).bytes;
    const whole = decode(bytes);
    for (const cut of [1, 7, 100, 333, bytes.length - 2]) {
      const d = new EscPosDecoder();
      const parts = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(parts).toEqual(whole);
    }
  });
});
