import { describe, expect, it } from 'vitest';
import { withCheckDigit } from './barcode.js';
import { classifyScan } from './classify.js';
import { parseGs1 } from './gs1.js';

const GS = '\x1d';

describe('GS1 element strings', () => {
  it('reads a GS1-128 apparel label: the GTIN is the product, lot and serial are fields', () => {
    const raw = `]C10106971111376183172612311${'0'}LOT-A${GS}21SN0009`;
    expect(parseGs1(raw)).toEqual({
      ok: true,
      gtin14: '06971111376183',
      fields: [
        { ai: '01', value: '06971111376183' },
        { ai: '17', value: '261231' },
        { ai: '10', value: 'LOT-A' },
        { ai: '21', value: 'SN0009' },
      ],
    });
    expect(classifyScan(raw)).toEqual({ kind: 'product', code: '6971111376183', symbology: 'gs1' });
  });

  it('accepts DataMatrix and QR identifiers, a leading FNC1 and the CR a serial scanner leaves', () => {
    expect(classifyScan(`]d2${GS}0106971111376183\r`)).toMatchObject({ kind: 'product', code: '6971111376183' });
    expect(classifyScan(`]Q30106971111376183${GS}10X`)).toMatchObject({ kind: 'product', code: '6971111376183' });
  });

  it('calls broken strings malformed: wrong GTIN check digit, unknown AI, cut-off or over-long fields', () => {
    expect(classifyScan(']C10106971111376184')).toEqual({ kind: 'malformed', reason: 'bad_check_digit' });
    expect(classifyScan(']C1230045')).toEqual({ kind: 'malformed', reason: 'bad_length' });
    expect(classifyScan(']C10106971')).toEqual({ kind: 'malformed', reason: 'bad_length' });
    expect(classifyScan(`]C110${'A'.repeat(21)}`)).toEqual({ kind: 'malformed', reason: 'bad_length' });
    expect(classifyScan(`]C1${GS}${GS}`)).toEqual({ kind: 'malformed', reason: 'bad_length' });
    expect(classifyScan(']C101ABCDEFGHIJKLMN')).toEqual({ kind: 'malformed', reason: 'bad_length' });
  });

  it('leaves valid labels without an item GTIN to other screens (unknown)', () => {
    expect(classifyScan(`]C100${withCheckDigit('06971111300000001')}`)).toEqual({ kind: 'unknown' });
    expect(classifyScan(`]C101${withCheckDigit('1697111137618')}`)).toEqual({ kind: 'unknown' });
  });

  it('never throws on random GS1-looking input', () => {
    let seed = 99;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = `0123456789ABC-${GS}`;
    for (let i = 0; i < 10_000; i++) {
      let s = [']C1', ']d2', ']Q3', ']e0'][i % 4]!;
      const n = Math.floor(rand() * 60);
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(rand() * alphabet.length)];
      expect(['product', 'unknown', 'malformed']).toContain(classifyScan(s).kind);
    }
  });
});
