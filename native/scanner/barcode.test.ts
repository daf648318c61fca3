import { describe, expect, it } from 'vitest';
import { gtinCheckDigit, hasValidCheckDigit, parseGtin, withCheckDigit } from './barcode.js';
import { classifyScan } from './classify.js';

describe('GTIN check digits', () => {
  it.each([
    ['690123456789', 2], // EAN-13 6901234567892
    ['400638133393', 1], // EAN-13 4006381333931
    ['03600029145', 2], // UPC-A 036000291452
    ['9638507', 4], // EAN-8 96385074
  ])('check digit of %s is %i', (body, digit) => {
    expect(gtinCheckDigit(body)).toBe(digit);
    expect(hasValidCheckDigit(withCheckDigit(body))).toBe(true);
  });

  it('rejects every single-digit error of a valid code', () => {
    const ean = '6901234567892';
    for (let i = 0; i < ean.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === ean[i]) continue;
        expect(hasValidCheckDigit(ean.slice(0, i) + d + ean.slice(i + 1))).toBe(false);
      }
    }
  });

  it('normalises UPC-A to EAN-13 and explains failures', () => {
    expect(parseGtin('036000291452')).toEqual({ ok: true, symbology: 'upca', code: '0036000291452' });
    expect(parseGtin('96385074')).toEqual({ ok: true, symbology: 'ean8', code: '96385074' });
    expect(parseGtin('6901234567893')).toEqual({ ok: false, reason: 'bad_check_digit' });
    expect(parseGtin('69012345678')).toEqual({ ok: false, reason: 'bad_length' });
    expect(parseGtin('69O1234567892')).toEqual({ ok: false, reason: 'not_digits' });
  });
});

describe('scan classification', () => {
  it('classifies product codes, misreads and codes it does not know yet', () => {
    expect(classifyScan('6901234567892\r\n')).toEqual({ kind: 'product', code: '6901234567892', symbology: 'ean13' });
    expect(classifyScan('\u0002036000291452\u0003')).toEqual({ kind: 'product', code: '0036000291452', symbology: 'upca' });
    expect(classifyScan('6901234567893')).toEqual({ kind: 'malformed', reason: 'bad_check_digit' });
    expect(classifyScan('6901234')).toEqual({ kind: 'malformed', reason: 'bad_length' });
    expect(classifyScan(' \r\n')).toEqual({ kind: 'malformed', reason: 'empty' });
    // An 18-digit WeChat Pay code is not a misread product: the checkout issue classifies it.
    expect(classifyScan('134567890123456789')).toEqual({ kind: 'unknown' });
    expect(classifyScan('https://example.com/member/123')).toEqual({ kind: 'unknown' });
  });

  it('never throws on random input', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 10_000; i++) {
      const length = next() % 40;
      const raw = String.fromCharCode(...Array.from({ length }, () => next() % 0x3000));
      const result = classifyScan(raw);
      expect(['product', 'malformed', 'unknown']).toContain(result.kind);
      if (result.kind === 'product') expect(hasValidCheckDigit(result.code)).toBe(true);
    }
  });
});
