import { describe, expect, it } from 'vitest';
import { classifyScan, readScan, receiptNumberOf } from './classify.js';
import type { Classification } from './classify.js';
import { classifyPaymentCode } from './payment-code.js';
import type { PaymentCodeMethod } from './payment-code.js';

const GS = '\x1d';

/** What one raw scan must read as: its classification, and what the other readers of a scan make of it. */
type Expected = {
  c: Classification;
  /** The cleaned code every consumer reads (checked when given). */
  text?: string;
  /** The AIM identifier taken off (checked always: absent means none). */
  aim?: string;
  addOn?: string;
  gtin14?: string;
  pay?: PaymentCodeMethod;
  receipt?: string;
};

const product = (code: string, symbology: 'ean13' | 'upca' | 'ean8' | 'gs1' | 'gtin14'): Classification => ({
  kind: 'product',
  code,
  symbology,
});
const malformed = (reason: 'empty' | 'bad_length' | 'bad_check_digit'): Classification => ({ kind: 'malformed', reason });
const carton = (gtin14: string): Classification => ({ kind: 'case', gtin14, indicator: Number(gtin14[0]) });
const UNKNOWN: Classification = { kind: 'unknown' };

/**
 * Real-world scans: the same codes as a scanner sends them without and with AIM identifiers
 * (ISO/IEC 15424), framed, in full width, as GS1 element strings, and as payment codes of the three
 * networks with their near misses.
 */
const VECTORS: [string, string, Expected][] = [
  // EAN-13 / UPC-A / EAN-8, bare and behind their identifiers
  ['EAN-13', '6971111376183', { c: product('6971111376183', 'ean13') }],
  ['EAN-13 ]E0', ']E06971111376183', { c: product('6971111376183', 'ean13'), aim: ']E0', text: '6971111376183' }],
  ['EAN-13 ]E0 CRLF', ']E06901234567892\r\n', { c: product('6901234567892', 'ean13'), aim: ']E0' }],
  ['EAN-13 ]E0 in STX/ETX', '\x02]E04006381333931\x03', { c: product('4006381333931', 'ean13'), aim: ']E0' }],
  ['EAN-13 ]X0 (symbology not named)', ']X06971111376183', { c: product('6971111376183', 'ean13'), aim: ']X0' }],
  ['EAN-13 digits in Code 93 ]G0', ']G06971111376183', { c: product('6971111376183', 'ean13'), aim: ']G0' }],
  ['EAN-13 bad check digit ]E0', ']E06971111376184', { c: malformed('bad_check_digit'), aim: ']E0' }],
  ['EAN-13 bad check digit', '6901234567893', { c: malformed('bad_check_digit') }],
  ['7 digits ]E0: cut off', ']E06901234', { c: malformed('bad_length'), aim: ']E0' }],
  ['UPC-A', '036000291452', { c: product('0036000291452', 'upca') }],
  ['UPC-A ]E0, 12 digits', ']E0036000291452', { c: product('0036000291452', 'upca'), aim: ']E0' }],
  ['UPC-A ]E0, 13-digit form', ']E00036000291452', { c: product('0036000291452', 'ean13'), aim: ']E0' }],
  ['EAN-8', '96385074', { c: product('96385074', 'ean8') }],
  ['EAN-8 ]E4', ']E496385074', { c: product('96385074', 'ean8'), aim: ']E4', text: '96385074' }],
  ['UPC-A + 2-digit add-on packet', ']E0012345678905]E112', { c: product('0012345678905', 'upca'), aim: ']E0', addOn: '12' }],
  ['EAN-8 + 5-digit add-on packet', ']E496385074]E212345', { c: product('96385074', 'ean8'), aim: ']E4', addOn: '12345' }],
  ['EAN-13 + add-on combined ]E3', ']E3690123456789212345', { c: product('6901234567892', 'ean13'), aim: ']E3', addOn: '12345' }],
  // GTIN-14 on cartons (ITF-14 or typed)
  ['GTIN-14 indicator 0', '06971111376183', { c: product('6971111376183', 'gtin14'), gtin14: '06971111376183' }],
  ['ITF-14 ]I1 indicator 0', ']I106971111376183', { c: product('6971111376183', 'gtin14'), aim: ']I1', gtin14: '06971111376183' }],
  ['GTIN-14 wrapping a UPC-A', '00036000291452', { c: product('0036000291452', 'gtin14'), gtin14: '00036000291452' }],
  ['GTIN-14 wrapping an EAN-8', '00000096385074', { c: product('96385074', 'gtin14'), gtin14: '00000096385074' }],
  ['GTIN-14 indicator 1: case', '16971111376180', { c: carton('16971111376180'), gtin14: '16971111376180' }],
  ['ITF-14 ]I0 indicator 5: carton', ']I056971111376188', { c: carton('56971111376188'), aim: ']I0', gtin14: '56971111376188' }],
  ['GTIN-14 indicator 8', '86971111376189', { c: carton('86971111376189'), gtin14: '86971111376189' }],
  ['GTIN-14 indicator 9 (variable measure)', '96971111376186', { c: carton('96971111376186'), gtin14: '96971111376186' }],
  ['GTIN-14 bad check digit', '16971111376181', { c: malformed('bad_check_digit') }],
  // Code 39 / Code 128 / QR text: members, SKUs, receipts
  ['Code 39 ]A0 SKU label', ']A0SF25W0001-001-S', { c: UNKNOWN, aim: ']A0', text: 'SF25W0001-001-S' }],
  ['Code 39 Full ASCII ]A4 member', ']A4M00000012', { c: UNKNOWN, aim: ']A4', text: 'M00000012' }],
  ['Code 128 ]C0 member', ']C0M00000012', { c: UNKNOWN, aim: ']C0', text: 'M00000012' }],
  ['QR ]Q1 member', ']Q1M00000012\r', { c: UNKNOWN, aim: ']Q1', text: 'M00000012' }],
  [
    'Code 128 ]C0 receipt',
    ']C0S001-7F3A-261122-0042',
    { c: UNKNOWN, aim: ']C0', text: 'S001-7F3A-261122-0042', receipt: 'S001-7F3A-261122-0042' },
  ],
  ['receipt ]C0 lower case, CRLF', ']C0s001-7f3a-261122-0042\r\n', { c: UNKNOWN, aim: ']C0', receipt: 'S001-7F3A-261122-0042' }],
  ['receipt, no identifier', 'S001-7F3A-261122-12345', { c: UNKNOWN, receipt: 'S001-7F3A-261122-12345' }],
  ['Codabar ]F0', ']F0A12345B', { c: UNKNOWN, aim: ']F0', text: 'A12345B' }],
  ['Aztec ]z0 URL', ']z0https://example.com/m/1', { c: UNKNOWN, aim: ']z0', text: 'https://example.com/m/1' }],
  ['Code 128 ]C0 digits are not GS1', ']C00106971111376183', { c: UNKNOWN, aim: ']C0', text: '0106971111376183' }],
  ['Data Matrix ]d1 (not GS1)', ']d10106971111376183', { c: UNKNOWN, aim: ']d1', text: '0106971111376183' }],
  ['not an identifier: ]W is no symbology', ']W0123', { c: UNKNOWN, text: ']W0123' }],
  // GS1 element strings
  [
    'GS1-128 ]C1 apparel label',
    `]C10106971111376183172612311${'0'}LOT-A${GS}21SN0009`,
    { c: product('6971111376183', 'gs1'), aim: ']C1', gtin14: '06971111376183' },
  ],
  [
    'GS1 DataMatrix ]d2, leading FNC1, GS separators',
    `]d2${GS}0106971111376183${'10'}ABC${GS}21X1\r`,
    { c: product('6971111376183', 'gs1'), aim: ']d2', gtin14: '06971111376183' },
  ],
  ['GS1 DataMatrix ]d2 bad GTIN check digit', ']d20106971111376184', { c: malformed('bad_check_digit'), aim: ']d2' }],
  [
    'GS1 QR ]Q3 with net weight',
    ']Q301069711113761833103000500',
    { c: product('6971111376183', 'gs1'), aim: ']Q3', gtin14: '06971111376183' },
  ],
  ['GS1 QR with ECI ]Q4', ']Q40106971111376183', { c: product('6971111376183', 'gs1'), aim: ']Q4', gtin14: '06971111376183' }],
  ['GS1 DataBar ]e0 with a UPC-A', ']e00100036000291452', { c: product('0036000291452', 'gs1'), aim: ']e0', gtin14: '00036000291452' }],
  ['GS1 DataBar ]e0 with an EAN-8', ']e00100000096385074', { c: product('96385074', 'gs1'), aim: ']e0', gtin14: '00000096385074' }],
  ['GS1 DotCode ]J1', ']J10106971111376183', { c: product('6971111376183', 'gs1'), aim: ']J1', gtin14: '06971111376183' }],
  ['GS1-128 carton label (indicator 1)', ']C10116971111376180', { c: UNKNOWN, aim: ']C1', gtin14: '16971111376180' }],
  ['GS1-128 lot only: never a payment code', ']C1101234567890123456', { c: UNKNOWN, aim: ']C1' }],
  ['GS1-128 empty variable field', ']C1010697111137618310', { c: malformed('bad_length'), aim: ']C1' }],
  ['GS1-128 identifier alone', ']C1', { c: malformed('bad_length'), aim: ']C1' }],
  // Full width (Chinese input method, Chinese keyboard layout)
  ['full-width EAN-13', '６９７１１１１３７６１８３', { c: product('6971111376183', 'ean13'), text: '6971111376183' }],
  ['full-width EAN-13 with ideographic spaces', '\u3000６９７１１１１３７６１８３\u3000', { c: product('6971111376183', 'ean13') }],
  ['full-width identifier and EAN-13', '］Ｅ０６９７１１１１３７６１８３', { c: product('6971111376183', 'ean13'), aim: ']E0' }],
  ['full-width member', 'Ｍ００００００１２', { c: UNKNOWN, text: 'M00000012' }],
  ['full-width receipt', 'Ｓ００１－７Ｆ３Ａ－２６１１２２－００４２', { c: UNKNOWN, receipt: 'S001-7F3A-261122-0042' }],
  ['full-width WeChat Pay code', '１３４５６７８９０１２３４５６７８９', { c: UNKNOWN, text: '134567890123456789', pay: 'wechat' }],
  ['Chinese text is left alone', '欢迎光临！会员：１２３', { c: UNKNOWN, text: '欢迎光临！会员：１２３' }],
  ['Han Xin ]h0 Chinese text', ']h0会员卡，Ｍ００００００１２', { c: UNKNOWN, aim: ']h0', text: '会员卡，Ｍ００００００１２' }],
  // Payment codes: WeChat Pay 18 digits 10–15; Alipay 16–24 digits 25–30; UnionPay 19 digits 62
  ['WeChat Pay', '134567890123456789', { c: UNKNOWN, pay: 'wechat' }],
  ['WeChat Pay ]C0', ']C0104567890123456789', { c: UNKNOWN, aim: ']C0', text: '104567890123456789', pay: 'wechat' }],
  ['WeChat near miss: prefix 16', '164567890123456789', { c: UNKNOWN }],
  ['WeChat near miss: 17 digits', '13456789012345678', { c: UNKNOWN }],
  ['Alipay 16 digits', '2812345678901234', { c: UNKNOWN, pay: 'alipay' }],
  ['Alipay ]Q1, 24 digits', ']Q1301234567890123456789012', { c: UNKNOWN, aim: ']Q1', pay: 'alipay' }],
  ['Alipay near miss: 25 digits', '2812345678901234567890123', { c: UNKNOWN }],
  ['Alipay near miss: prefix 31', '311234567890123456', { c: UNKNOWN }],
  ['UnionPay QR', '6212345678901234567', { c: UNKNOWN, pay: 'unionpay' }],
  ['UnionPay ]C0', ']C06223456789012345678', { c: UNKNOWN, aim: ']C0', text: '6223456789012345678', pay: 'unionpay' }],
  ['UnionPay near miss: 18 digits', '621234567890123456', { c: UNKNOWN }],
  ['UnionPay near miss: 20 digits', '62123456789012345678', { c: UNKNOWN }],
  ['UnionPay near miss: prefix 61', '6112345678901234567', { c: UNKNOWN }],
  // Empty and framing only
  ['empty', '', { c: malformed('empty'), text: '' }],
  ['CR/LF only', '\r\n', { c: malformed('empty') }],
  ['STX/ETX only', '\x02\x03', { c: malformed('empty') }],
  ['identifier with no data', ']E0', { c: malformed('empty'), aim: ']E0', text: '' }],
];

describe('scan classification, real-world vectors', () => {
  it.each(VECTORS)('%s: %j', (_label, raw, expected) => {
    const read = readScan(raw);
    expect(classifyScan(raw)).toEqual(expected.c);
    expect(read.classification).toEqual(expected.c);
    expect(read.aim?.id).toBe(expected.aim);
    if (expected.text !== undefined) expect(read.text).toBe(expected.text);
    expect(read.addOn).toBe(expected.addOn);
    expect(read.gtin14).toBe(expected.gtin14);
    expect(classifyPaymentCode(raw)).toBe(expected.pay ?? null);
    expect(receiptNumberOf(raw)).toBe(expected.receipt ?? null);
  });

  it('has the vectors the issue asks for', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(40);
  });
});

describe('AIM identifiers of symbologies that are not GS1', () => {
  // Every code character the scanners send, with the modifiers they use; none of these is GS1.
  const NOT_GS1 = [
    ...[']E0', ']E4', ']A0', ']A1', ']A3', ']A4', ']A7', ']C0', ']C2', ']C4', ']F0', ']F1', ']G0', ']H0', ']I0', ']I1', ']I3'],
    ...[']L0', ']L2', ']M0', ']S0', ']R0', ']X0', ']Z0', ']Q0', ']Q1', ']Q2', ']Q5', ']Q6', ']d0', ']d1', ']d3', ']d4', ']z0', ']zC'],
    ...[']h0', ']h1', ']g0', ']U0', ']B0', ']K0', ']O0', ']P0', ']T0', ']N0', ']D0', ']c0', ']Y0', ']H1', ']J0'],
  ];
  const CODES = VECTORS.map(([, raw]) => raw).filter((raw) => !raw.includes(']') && !raw.includes('］'));

  it('change nothing: every code classifies, reads and pays exactly as without the identifier', () => {
    expect(CODES.length).toBeGreaterThan(30);
    for (const id of NOT_GS1) {
      for (const code of CODES) {
        const bare = readScan(code);
        const tagged = readScan(id + code);
        expect(tagged.aim?.id, id).toBe(id);
        expect(tagged.gs1, id).toBe(false);
        expect(tagged.classification, `${id}${code}`).toEqual(bare.classification);
        expect(tagged.text, `${id}${code}`).toBe(bare.text);
        expect(classifyPaymentCode(id + code)).toBe(classifyPaymentCode(code));
        expect(receiptNumberOf(id + code)).toBe(receiptNumberOf(code));
      }
    }
  });

  it('GS1 identifiers mean a GS1 element string, whatever the digits look like', () => {
    for (const id of [']C1', ']d2', ']d5', ']Q3', ']Q4', ']e0', ']e1', ']J1']) {
      const read = readScan(`${id}0106971111376183`);
      expect(read.gs1, id).toBe(true);
      expect(read.classification, id).toEqual(product('6971111376183', 'gs1'));
      // 18 digits starting 10: a WeChat Pay code as plain text, a lot number (AI 10) in a GS1 string.
      expect(classifyPaymentCode(`${id}101234567890123456`), id).toBeNull();
    }
  });
});
