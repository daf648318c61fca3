import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartState, SaleResult, ScanOutcome, SessionState, TillState } from '../api/contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';
import { withCheckDigit } from '../../native/scanner/barcode.js';
import { sandboxPaymentProvider } from './payments.js';
import type { PaymentProvider } from './payments.js';

/**
 * A store that switches its scanners to AIM symbology identifiers (for GS1 DataMatrix and GS1-128)
 * gets `]E0`, `]C0`, `]X0`… in front of every code; a cashier on a Chinese input method types full
 * width. Each scan must do at the Sell screen exactly what the bare code does.
 */
const data = sampleData();
const A = data.skus.find((s) => s.active && s.ean.length === 13) as Sku;
const member = data.customers.find((c) => c.store_id === 'loc-S001')!;
const memberCode = memberCodeOf(member.id);
const CASHIER = 'S001-02';

/** Full-width form of ASCII text, as a Chinese input method in full-width mode types it. */
const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

let dir: ReturnType<typeof tempDir>;
let pos: TestCheckout;
let online: boolean;
let charges: string[];

beforeEach(() => {
  dir = tempDir();
  online = false;
  charges = [];
  const sandbox = sandboxPaymentProvider();
  // The sandbox, recording every code the gateway was asked to charge.
  const payments: PaymentProvider = {
    ...sandbox,
    name: 'recording',
    charge: (r) => (charges.push(r.code), sandbox.charge(r)),
  };
  pos = openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    online: () => online,
    payments,
  });
});
afterEach(() => {
  pos.close();
  dir.cleanup();
});

const login = () => pos.call<SessionState>('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
const scan = (code: string) => pos.call<ScanOutcome>('checkout', 'scan', { code });
const scanFails = (code: string) => pos.fail('checkout', 'scan', { code });

describe('scans behind AIM identifiers and in full width', () => {
  it('adds the same item for an EAN bare, behind ]E0 and ]X0, framed, in full width, as a GTIN-14 and by SKU in Code 39', async () => {
    await login();
    const scans = [A.ean, `]E0${A.ean}`, `]X0${A.ean}`, `\x02]E0${A.ean}\x03`, fullWidth(A.ean), `]I10${A.ean}`, `]A0${A.sku}`];
    let last: ScanOutcome | undefined;
    for (const code of scans) {
      last = await scan(code);
      expect(last.kind, code).toBe('product');
    }
    expect(last!.cart.lines.map((l) => [l.sku, l.qty])).toEqual([[A.sku, scans.length]]);
  });

  it('identifies the member from a member code behind ]C0, ]Q1 and ]X0, and in full width', async () => {
    await login();
    for (const code of [`]C0${memberCode}`, `]Q1${memberCode}\r\n`, `]X0${memberCode}`, fullWidth(memberCode)]) {
      const outcome = await scan(code);
      expect(outcome.kind, code).toBe('member');
      expect(outcome.cart.member?.code, code).toBe(memberCode);
      await pos.call('checkout', 'removeMember');
    }
  });

  it('finds a receipt behind ]C0 and ]X0 and in full width, and applies a coupon sent as Code 39', async () => {
    await login();
    await pos.call<TillState>('cashup', 'open', { floatFen: 50_000 });
    const { cart } = await scan(`]E0${A.ean}`);
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: cart.totals.dueFen });
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');

    for (const code of [sale.receiptNo, `]C0${sale.receiptNo}`, `]X0${sale.receiptNo.toLowerCase()}`, fullWidth(sale.receiptNo)]) {
      expect(await scan(code), code).toMatchObject({ kind: 'receipt', receiptNo: sale.receiptNo });
    }

    await scan(A.ean);
    const coupon = await scan(']A0CPN-50-OFF');
    expect(coupon.kind).toBe('coupon');
    expect(coupon.cart.coupons.map((c) => c.code)).toEqual(['CPN-50-OFF']);
  });

  it('hands the payment code behind ]C0 on clean, and charges WeChat Pay, Alipay and UnionPay QR codes as they are', async () => {
    online = true;
    await login();
    await pos.call<TillState>('cashup', 'open', { floatFen: 50_000 });
    await scan(A.ean);
    await scan(A.ean);
    await scan(A.ean);
    const wechat = await scan(']C0134567890123456789');
    expect(wechat).toMatchObject({ kind: 'payment', method: 'wechat', code: '134567890123456789' });
    const alipay = await scan(fullWidth('2812345678901234'));
    expect(alipay).toMatchObject({ kind: 'payment', method: 'alipay', code: '2812345678901234' });
    for (const code of ['6212345678901234567', ']C06212345678901234567']) {
      expect(await scan(code), code).toMatchObject({ kind: 'payment', method: 'unionpay', code: '6212345678901234567' });
    }
    expect(charges).toEqual([]);

    // Each code the scan handed over is charged as it is: a third each, the last one what is left.
    const due = (await pos.call<CartState>('checkout', 'cart')).totals.dueFen;
    const third = Math.floor(due / 3);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789', amountFen: third });
    await pos.call('checkout', 'addTender', { method: 'mobile', code: '2812345678901234', amountFen: third });
    const paid = await pos.call<CartState>('checkout', 'addTender', { method: 'mobile', code: '6212345678901234567' });
    expect(paid.tenders.map((t) => [t.method, t.amountFen])).toEqual([
      ['wechat', third],
      ['alipay', third],
      ['unionpay', due - 2 * third],
    ]);
    expect(charges).toEqual(['134567890123456789', '2812345678901234', '6212345678901234567']);
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');
    // And back through the gateway, each to its own payment, when all three come back.
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 3 });
    const back = await pos.call<SaleResult>('checkout', 'complete');
    expect(Object.fromEntries(back.sale.tenders.map((t) => [t.method, t.amountFen]))).toEqual({
      wechat: -third,
      alipay: -third,
      unionpay: -(due - 2 * third),
    });
  });

  it('names a carton code as such, calls a misread behind ]E0 a misread, and never reads a GS1 label as anything else', async () => {
    online = true;
    await login();
    const carton = withCheckDigit(`1${A.ean.slice(0, 12)}`);
    for (const code of [carton, `]I1${carton}`, `]C101${carton}`]) {
      const e = await scanFails(code);
      expect(e.code, code).toBe('NOT_FOUND');
      expect(e.message, code).toContain(`${carton} is a case or carton code`);
    }
    const misread = `${A.ean.slice(0, 12)}${(Number(A.ean[12]) + 1) % 10}`;
    expect((await scanFails(`]E0${misread}`)).code).toBe('INVALID_BARCODE');
    // AI 10 with a 16-digit lot: as bare text these 18 digits would be a WeChat Pay code.
    expect(await scanFails(']C1101234567890123456')).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/GS1 label/) });
    expect((await pos.call<CartState>('checkout', 'cart')).lines).toEqual([]);
  });
});
