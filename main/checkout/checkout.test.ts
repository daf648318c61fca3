import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartState, CashReport, SaleResult, SaleView, ScanOutcome, SessionState, TillState, Approval } from '../api/contract.js';
import { readOutbox, pendingCount } from '../store/outbox.js';
import { tempDir } from '../testing/temp-dir.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';
import { withCheckDigit } from '../../native/scanner/barcode.js';
import { sandboxPaymentProvider } from './payments.js';
import { RECEIPT_NO_RE } from '../../sync/protocol/receipt-number.js';
import { openTestCheckout, recordingDevices, sampleData } from '../testing/test-checkout.js';
import type { RecordingDevices, TestCheckout } from '../testing/test-checkout.js';
import { saleProblem } from '../../sync/hq/push/sale-rules.js';
import { saleCompletedSchema } from '../../sync/protocol/events/index.js';

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const [A, B, C, D, E] = plain.slice(0, 5) as [Sku, Sku, Sku, Sku, Sku];
const inactive = data.skus.find((s) => !s.active);
const demoMember = data.customers.find((c) => c.store_id === 'loc-S001')!;
const memberCode = memberCodeOf(demoMember.id);
const bundle = `CPN-${memberCode.slice(1)}`;
const MANAGER = 'S001-01';
const CASHIER = 'S001-02';
const GUIDE = 'S001-04';

let dir: ReturnType<typeof tempDir>;
let now: number;
let devices: RecordingDevices;
let online: boolean;
let pos: TestCheckout;
const open = () =>
  openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    clock: () => new Date(now),
    devices,
    online: () => online,
    payments: sandboxPaymentProvider(),
  });

beforeEach(() => {
  dir = tempDir();
  now = Date.UTC(2026, 10, 22, 2, 0, 0); // 10:00 in Shanghai
  devices = recordingDevices();
  online = false;
  pos = open();
  // Exact prices for arithmetic; only the spend threshold stays among the promotions.
  const price = pos.store.db.prepare('UPDATE sku SET price_fen = ? WHERE sku = ?');
  price.run(120_000, A.sku);
  price.run(59_900, B.sku);
  price.run(33_333, C.sku);
  price.run(200_000, D.sku);
  price.run(10_000, E.sku);
  pos.store.db.exec("DELETE FROM promotion WHERE id != 'promo-1000-300'");
});
afterEach(() => {
  // Whatever a test rang up, HQ must find it adds up: the till's sums are the ones HQ checks (sync/hq/push/sale-rules.ts).
  for (const e of readOutbox(pos.store.db, 10_000)) {
    if (e.type === 'sale.completed')
      expect(saleProblem(saleCompletedSchema.parse(e.payload)), (e.payload as { receiptNo: string }).receiptNo).toBeNull();
  }
  pos.close();
  dir.cleanup();
});

const login = (code = CASHIER) => pos.call<SessionState>('staff', 'login', { code, pin: demoPin(code) });
const approve = (action: string) => pos.call<Approval>('staff', 'approve', { managerCode: MANAGER, pin: demoPin(MANAGER), action });
const scan = (code: string) => pos.call<ScanOutcome>('checkout', 'scan', { code });
const cart = () => pos.call<CartState>('checkout', 'cart');
const openTill = (floatFen = 50_000) => pos.call<TillState>('cashup', 'open', { floatFen });
const lineOf = (c: CartState, sku: Sku) => c.lines.find((l) => l.sku === sku.sku)!;
const outboxTypes = () => readOutbox(pos.store.db, 10_000).map((e) => e.type);
const stockOf = (sku: Sku) =>
  (pos.store.db.prepare("SELECT qty FROM stock WHERE location_id = 'loc-S001' AND sku = ?").get(sku.sku) as { qty: number }).qty;

/** The bundle sale: A, B×2, C = ￥2,731.33; 满1000减300; the bundle's ￥400 + ￥300 + ￥111 coupons; card ￥1,000 + cash. */
async function bundleSale(): Promise<SaleResult> {
  await scan(A.ean);
  await scan(B.ean);
  await scan(B.ean);
  await scan(C.ean);
  await scan(memberCode);
  for (const code of [`${bundle}-111`, `${bundle}-400`, `${bundle}-300A`]) await pos.call('checkout', 'applyCoupon', { code });
  await pos.call('checkout', 'addTender', { method: 'card', amountFen: 100_000, reference: 'POS-778812' });
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 70_000 });
  return pos.call<SaleResult>('checkout', 'complete');
}

describe('staff login', () => {
  it('locks a staff after five wrong PINs, persists the lock over a restart, and lifts it after 15 minutes', async () => {
    for (let i = 1; i <= 4; i++) {
      const e = await pos.fail('staff', 'login', { code: CASHIER, pin: '9999' });
      expect(e.code).toBe('WRONG_PIN');
      expect(e.message).toContain(`${5 - i} attempt(s) left`);
    }
    expect((await pos.fail('staff', 'login', { code: CASHIER, pin: '9999' })).code).toBe('STAFF_LOCKED');
    expect((await pos.fail('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) })).code).toBe('STAFF_LOCKED');
    pos.close();
    pos = open();
    expect((await pos.fail('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) })).code).toBe('STAFF_LOCKED');
    // Another staff is not affected.
    expect((await login(MANAGER)).state).toBe('active');
    now += 15 * 60_000 + 1;
    const session = await login(CASHIER);
    expect(session).toMatchObject({
      state: 'active',
      staff: { code: CASHIER, role: 'cashier' },
      permissions: { tender: true, maxDiscountPercent: 10 },
    });
    expect(outboxTypes()).toContain('staff.locked_out');
  });

  it('refuses unknown staff the same way as a wrong PIN, and malformed PINs as bad input', async () => {
    expect((await pos.fail('staff', 'login', { code: 'S999-01', pin: '1234' })).code).toBe('WRONG_PIN');
    expect((await pos.fail('staff', 'login', { code: CASHIER, pin: '12a4' })).code).toBe('BAD_INPUT');
  });

  it('needs a session for the till, and the screen lock keeps the cart until the same PIN unlocks it', async () => {
    expect((await pos.fail('checkout', 'scan', { code: A.ean })).code).toBe('NOT_LOGGED_IN');
    await login();
    await scan(A.ean);
    const locked = await pos.call<SessionState>('staff', 'lock');
    expect(locked.state).toBe('locked');
    expect((await pos.fail('checkout', 'cart')).code).toBe('SESSION_LOCKED');
    expect((await pos.fail('staff', 'unlock', { pin: '0000' })).code).toBe('WRONG_PIN');
    now += 5_000;
    const unlocked = await pos.call<SessionState>('staff', 'unlock', { pin: demoPin(CASHIER) });
    expect(unlocked.state === 'active' && unlocked.lastActivityAt).toBe(new Date(now).toISOString());
    expect((await cart()).lines).toHaveLength(1);
  });
});

describe('roles', () => {
  it('lets a guide build a cart but not take money or open the till', async () => {
    await login(GUIDE);
    await scan(A.ean);
    expect((await pos.fail('checkout', 'addTender', { method: 'cash', givenFen: 200_000 })).code).toBe('FORBIDDEN');
    expect((await pos.fail('cashup', 'open', { floatFen: 0 })).code).toBe('FORBIDDEN');
    expect((await pos.fail('returns', 'find', { receiptNo: 'S001-0000-261122-0001' })).code).toBe('FORBIDDEN');
    expect(
      (await pos.fail('checkout', 'lineDiscount', { lineId: (await cart()).lines[0]!.lineId, discount: { kind: 'percent', percent: 5 } }))
        .code,
    ).toBe('APPROVAL_REQUIRED');
  });

  it('gives a cashier 10% discount alone and more with a single-use manager approval, without logging the cashier out', async () => {
    await login();
    await scan(A.ean);
    const lineId = (await cart()).lines[0]!.lineId;
    const ten = await pos.call<CartState>('checkout', 'lineDiscount', { lineId, discount: { kind: 'percent', percent: 10 } });
    expect(ten.lines[0]!.manualDiscountFen).toBe(12_000);
    expect((await pos.fail('checkout', 'lineDiscount', { lineId, discount: { kind: 'percent', percent: 30 } })).code).toBe(
      'APPROVAL_REQUIRED',
    );
    const wrongAction = await approve('paid_out');
    expect(
      (
        await pos.fail('checkout', 'lineDiscount', {
          lineId,
          discount: { kind: 'percent', percent: 30 },
          approvalToken: wrongAction.token,
        })
      ).code,
    ).toBe('APPROVAL_REQUIRED');
    const ok = await approve('discount');
    const thirty = await pos.call<CartState>('checkout', 'lineDiscount', {
      lineId,
      discount: { kind: 'percent', percent: 30 },
      approvalToken: ok.token,
    });
    expect(thirty.lines[0]!.manualDiscountFen).toBe(36_000);
    // Single use.
    expect(
      (await pos.fail('checkout', 'lineDiscount', { lineId, discount: { kind: 'percent', percent: 40 }, approvalToken: ok.token })).code,
    ).toBe('APPROVAL_REQUIRED');
    const session = await pos.call<SessionState>('staff', 'session');
    expect(session.state === 'active' && session.staff.code).toBe(CASHIER);
    // A cashier cannot approve.
    expect((await pos.fail('staff', 'approve', { managerCode: 'S001-03', pin: demoPin('S001-03'), action: 'discount' })).code).toBe(
      'FORBIDDEN',
    );
  });

  it('keeps an approval with the cashier it was given to: the next person logged in cannot use it', async () => {
    await login();
    const forFirst = await approve('discount');
    await pos.call('staff', 'logout');
    await login('S001-03');
    await scan(A.ean);
    const lineId = (await cart()).lines[0]!.lineId;
    expect(
      (await pos.fail('checkout', 'lineDiscount', { lineId, discount: { kind: 'percent', percent: 30 }, approvalToken: forFirst.token }))
        .code,
    ).toBe('APPROVAL_REQUIRED');
    const own = await approve('discount');
    const thirty = await pos.call<CartState>('checkout', 'lineDiscount', {
      lineId,
      discount: { kind: 'percent', percent: 30 },
      approvalToken: own.token,
    });
    expect(thirty.lines[0]!.manualDiscountFen).toBe(36_000);
  });
});

describe('a sale', () => {
  it('prices the ￥1.1 bundle, takes split tender, and commits sale, stock and outbox event together', async () => {
    await login();
    await openTill();
    const stockBefore = [stockOf(A), stockOf(B), stockOf(C)];
    const eventsBefore = pendingCount(pos.store.db);
    await scan(A.ean);
    await scan(B.ean);
    const twice = (await scan(B.ean)).cart;
    expect(lineOf(twice, B).qty).toBe(2);
    await scan(C.ean);
    const withMember = (await scan(memberCode)).cart;
    expect(withMember.member).toMatchObject({ code: memberCode, phone: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) });
    expect(withMember.member!.coupons.filter((c) => c.code.startsWith(bundle))).toHaveLength(4);
    for (const code of [`${bundle}-111`, `${bundle}-400`, `${bundle}-300A`]) await pos.call('checkout', 'applyCoupon', { code });
    // A third threshold coupon needs ￥3,300 of spend after the ￥300 threshold promotion: refused.
    expect((await pos.fail('checkout', 'applyCoupon', { code: `${bundle}-300B` })).code).toBe('COUPON_NOT_APPLICABLE');
    const priced = await cart();
    expect(priced.totals).toMatchObject({
      subtotalFen: 273_133,
      promotionDiscountFen: 30_000,
      couponDiscountFen: 81_100,
      totalFen: 162_033,
      dueFen: 162_033,
    });
    expect(priced.promotions.map((p) => p.id)).toEqual(['promo-1000-300']);
    expect(priced.lines.reduce((a, l) => a + l.totalFen, 0)).toBe(162_033);

    // Cart changes are refused once a payment is in.
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 100_000, reference: 'POS-778812' });
    expect((await pos.fail('checkout', 'scan', { code: D.ean })).code).toBe('CONFLICT');
    const paid = await pos.call<CartState>('checkout', 'addTender', { method: 'cash', givenFen: 70_000 });
    expect(paid.totals).toMatchObject({ paidFen: 162_033, dueFen: 0, changeFen: 7_967 });
    const result = await pos.call<SaleResult>('checkout', 'complete');

    expect(result.sale.receiptNo).toMatch(RECEIPT_NO_RE);
    expect(result.sale.receiptNo).toMatch(/^S001-[0-9A-F]{4}-261122-0001$/);
    expect(result.sale.receiptNo.length).toBeLessThanOrEqual(24);
    expect(result.sale).toMatchObject({ kind: 'sale', member: { code: memberCode }, totals: { netFen: 162_033, changeFen: 7_967 } });
    expect(result.sale.coupons.map((c) => [c.code, c.offline])).toEqual([
      [`${bundle}-111`, true],
      [`${bundle}-300A`, true],
      [`${bundle}-400`, true],
    ]);
    expect(result.receipt).toEqual({ sent: true });
    expect(result.drawer).toEqual({ opened: true });
    expect(devices.drawer.at(-1)).toEqual({ kind: 'cash_sale', staffId: 'stf-S001-02', note: result.sale.receiptNo });
    const receipt = devices.printed[0]!;
    expect(receipt).toMatchObject({
      kind: 'sale',
      receiptNo: result.sale.receiptNo,
      totals: { totalFen: 162_033, changeFen: 7_967, tenderedFen: 170_000 },
    });
    expect(receipt.tenders).toContainEqual({ method: 'card', amountFen: 100_000, reference: '****8812' });
    expect(result.cart.lines).toEqual([]);

    const events = readOutbox(pos.store.db, 1000).slice(eventsBefore);
    const saleEvents = events.filter((e) => e.type === 'sale.completed');
    expect(saleEvents).toHaveLength(1);
    expect(saleEvents[0]!.payload).toMatchObject({
      receiptNo: result.sale.receiptNo,
      customerId: demoMember.id,
      offline: true,
      totals: { netFen: 162_033 },
      tenders: [
        { method: 'card', amountFen: 100_000 },
        { method: 'cash', amountFen: 62_033 },
      ],
    });
    expect([stockOf(A), stockOf(B), stockOf(C)]).toEqual([stockBefore[0]! - 1, stockBefore[1]! - 2, stockBefore[2]! - 1]);
    expect(pos.events.some((e) => e.name === 'sale.completed')).toBe(true);
    const today = await pos.call<{ receiptNo: string }[]>('sales', 'today');
    expect(today.map((s) => s.receiptNo)).toEqual([result.sale.receiptNo]);
  });

  it('keeps the sale when the printer and drawer fail, and says so', async () => {
    await login();
    await openTill();
    devices.fail = true;
    await scan(E.ean);
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
    const result = await pos.call<SaleResult>('checkout', 'complete');
    expect(result.receipt).toEqual({ sent: false, error: 'printer out of paper' });
    expect(result.drawer).toEqual({ opened: false, error: 'drawer offline' });
    expect((await pos.call<SaleView>('sales', 'find', { receiptNo: result.sale.receiptNo })).totals.netFen).toBe(10_000);
    devices.fail = false;
    expect(await pos.call('sales', 'reprint', { receiptNo: result.sale.receiptNo })).toEqual({ sent: true });
    expect(devices.printed[0]).toMatchObject({ copy: true, receiptNo: result.sale.receiptNo });
  });

  it('parks a cart and resumes it', async () => {
    await login();
    await scan(A.ean);
    await scan(memberCode);
    const empty = await pos.call<CartState>('checkout', 'park', { note: 'fitting room 2' });
    expect(empty.lines).toEqual([]);
    const parked = await pos.call<{ parkedId: string; note: string; totalFen: number }[]>('checkout', 'parked');
    expect(parked).toMatchObject([{ note: 'fitting room 2', totalFen: 120_000 - 30_000 }]);
    const back = await pos.call<CartState>('checkout', 'resume', { parkedId: parked[0]!.parkedId });
    expect(back.lines.map((l) => l.sku)).toEqual([A.sku]);
    expect(back.member?.code).toBe(memberCode);
    expect(await pos.call('checkout', 'parked')).toEqual([]);
  });
});

describe('points', () => {
  it('redeems points at the rate (100 = ￥1), records them as spent offline, and shows the balance with the unsettled sale on top', async () => {
    pos.store.db.prepare('UPDATE customer SET points = 5000 WHERE id = ?').run(demoMember.id);
    await login();
    await openTill();
    await scan(E.ean); // ￥100
    expect((await pos.fail('checkout', 'redeemPoints', { points: 100 })).code).toBe('CONFLICT'); // no member yet
    await scan(memberCode);
    expect((await pos.fail('checkout', 'redeemPoints', { points: 6000 })).code).toBe('POINTS_INSUFFICIENT');
    const c = await pos.call<CartState>('checkout', 'redeemPoints', { points: 2500 });
    expect(c.points).toEqual({ redeemed: 2500, valueFen: 2500, offline: true });
    expect(c.totals).toMatchObject({ pointsFen: 2500, totalFen: 7500 });
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 7500 });
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');
    expect(sale.points).toEqual({ redeemed: 2500, valueFen: 2500, offline: true, earned: 75 });
    // HQ's 5000, less the 2500 spent and plus the 75 earned on this sale, which HQ has not settled yet.
    const next = (await scan(memberCode)).cart;
    expect(next.member?.points).toBe(2575);
    const history = await pos.call<{ receiptNo: string }[]>('sales', 'byMember', { memberId: demoMember.id });
    expect(history.map((h) => h.receiptNo)).toEqual([sale.receiptNo]);
  });
});

describe('bad input: a clear error and nothing written', () => {
  it.each([
    ['negative quantity', 'checkout', 'setQty', { lineId: 'x', qty: -1 }, 'BAD_INPUT'],
    ['zero quantity', 'checkout', 'setQty', { lineId: 'x', qty: 0 }, 'BAD_INPUT'],
    ['fractional cash', 'checkout', 'addTender', { method: 'cash', givenFen: 10.5 }, 'BAD_INPUT'],
    ['negative float', 'cashup', 'open', { floatFen: -100 }, 'BAD_INPUT'],
    ['a payment code of letters', 'checkout', 'addTender', { method: 'mobile', code: 'abc' }, 'BAD_INPUT'],
  ])('%s', async (_name, domain, method, input, code) => {
    await login();
    const before = pendingCount(pos.store.db);
    expect((await pos.fail(domain, method, input)).code).toBe(code);
    expect(pendingCount(pos.store.db)).toBe(before);
  });

  it('refuses a tender short of the total, an unknown or inactive item, an expired coupon, and a coupon used twice on this device', async () => {
    await login();
    await openTill();
    const before = pendingCount(pos.store.db);
    await scan(A.ean);
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 50_000 });
    expect((await pos.fail('checkout', 'complete')).code).toBe('TENDER_SHORT');
    expect(pendingCount(pos.store.db)).toBe(before);
    expect(pos.store.db.prepare('SELECT count(*) AS n FROM sale').get()).toEqual({ n: 0 });
    await pos.call('checkout', 'clear');

    const unknown = withCheckDigit('690000000000');
    expect((await pos.fail('checkout', 'scan', { code: unknown })).code).toBe('NOT_FOUND');
    expect((await pos.fail('checkout', 'scan', { code: unknown.slice(0, 12) + String((Number(unknown[12]) + 1) % 10) })).code).toBe(
      'INVALID_BARCODE',
    );
    expect(inactive, 'the sample has a discontinued SKU').toBeDefined();
    expect((await pos.fail('checkout', 'scan', { code: inactive!.ean })).code).toBe('SKU_INACTIVE');
    await scan(A.ean);
    expect((await pos.fail('checkout', 'applyCoupon', { code: 'CPN-EXPIRED' })).code).toBe('COUPON_EXPIRED');
    expect((await pos.fail('checkout', 'applyCoupon', { code: `${bundle}-111` })).code).toBe('COUPON_NOT_APPLICABLE'); // not this member's (no member)
    await pos.call('checkout', 'applyCoupon', { code: 'CPN-50-OFF' });
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 200_000 });
    await pos.call('checkout', 'complete');
    await scan(B.ean);
    const used = await pos.fail('checkout', 'applyCoupon', { code: 'CPN-50-OFF' });
    expect(used.code).toBe('COUPON_USED');
    expect(pos.store.db.prepare('SELECT count(*) AS n FROM coupon_use').get()).toEqual({ n: 1 });
  });

  it('refuses a non-stackable coupon with others, and mobile payment offline', async () => {
    await login();
    await scan(A.ean);
    await pos.call('checkout', 'applyCoupon', { code: 'CPN-50-OFF' });
    expect((await pos.fail('checkout', 'applyCoupon', { code: 'CPN-15-PCT' })).code).toBe('COUPON_NOT_APPLICABLE');
    const offline = await pos.fail('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    expect(offline.code).toBe('PAYMENT_OFFLINE');
  });
});

describe('mobile payment (online, sandbox gateway)', () => {
  it('classifies WeChat Pay and Alipay codes, charges them, and reports a decline', async () => {
    online = true;
    await login();
    await openTill();
    await scan(A.ean);
    const outcome = await scan('134567890123456789');
    expect(outcome).toMatchObject({ kind: 'payment', method: 'wechat' });
    expect((await pos.fail('checkout', 'addTender', { method: 'mobile', code: '281234567890120000' })).code).toBe('PAYMENT_DECLINED');
    await pos.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789', amountFen: 20_000 });
    const c = await pos.call<CartState>('checkout', 'addTender', { method: 'mobile', code: '2812345678901234' });
    expect(c.tenders.map((t) => [t.method, t.amountFen])).toEqual([
      ['wechat', 20_000],
      ['alipay', 70_000],
    ]);
    expect((await pos.call<SaleResult>('checkout', 'complete')).sale.tenders.map((t) => t.method)).toEqual(
      expect.arrayContaining(['wechat', 'alipay']),
    );
  });

  it('charges one payment code at a time: a second tap while the gateway answers is refused, and the cart is frozen meanwhile', async () => {
    online = true;
    await login();
    await scan(A.ean);
    const first = pos.call<CartState>('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    const second = pos.fail('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    const edit = pos.fail('checkout', 'scan', { code: B.ean });
    expect((await second).code).toBe('CONFLICT');
    expect((await edit).code).toBe('CONFLICT');
    expect((await first).tenders).toHaveLength(1);
  });
});

describe('returns and exchanges', () => {
  it('refunds exactly what was paid per unit of a discounted line, to the card first, and never more than was sold', async () => {
    await login();
    await openTill();
    const { sale } = await bundleSale();
    const bLine = sale.lines.find((l) => l.sku === B.sku)!;
    expect(bLine.qty).toBe(2);
    expect(sale.lines.reduce((a, l) => a + l.totalFen, 0)).toBe(162_033);

    const found = (await scan(sale.receiptNo)) as ScanOutcome & { receiptNo: string };
    expect(found).toMatchObject({ kind: 'receipt', receiptNo: sale.receiptNo });
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    const one = await pos.call<CartState>('returns', 'setQty', { saleLineId: bLine.saleLineId, qty: 1 });
    const firstRefund = Math.floor(bLine.totalFen / 2);
    expect(one.totals).toMatchObject({ refundFen: firstRefund, netFen: -firstRefund });
    expect(one.refunds).toEqual([{ method: 'card', amountFen: firstRefund }]);
    const r1 = await pos.call<SaleResult>('checkout', 'complete');
    expect(r1.sale).toMatchObject({ kind: 'return', originalReceiptNo: sale.receiptNo, totals: { netFen: -firstRefund } });
    expect(r1.drawer).toBeNull();

    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    expect((await pos.fail('returns', 'setQty', { saleLineId: bLine.saleLineId, qty: 2 })).code).toBe('RETURN_EXCEEDS_SALE');
    const two = await pos.call<CartState>('returns', 'setQty', { saleLineId: bLine.saleLineId, qty: 1 });
    expect(two.totals.refundFen).toBe(bLine.totalFen - firstRefund);
    await pos.call('checkout', 'complete');
    const after = await pos.call<SaleView>('returns', 'find', { receiptNo: sale.receiptNo });
    expect(after.lines.find((l) => l.sku === B.sku)).toMatchObject({ returnedQty: 2, returnedFen: bLine.totalFen });

    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    expect((await pos.fail('returns', 'setQty', { saleLineId: bLine.saleLineId, qty: 1 })).code).toBe('RETURN_EXCEEDS_SALE');
  });

  it('an exchange costing more: return and sale in one transaction, the customer pays the difference', async () => {
    await login();
    await openTill();
    const { sale } = await bundleSale();
    const aLine = sale.lines.find((l) => l.sku === A.sku)!;
    const eventsBefore = pendingCount(pos.store.db);
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: aLine.saleLineId, qty: 1 });
    const c = (await scan(D.ean)).cart;
    // D alone: ￥2,000 − ￥300 (满1000减300) = ￥1,700; minus A's refund.
    expect(c.totals).toMatchObject({ totalFen: 170_000, refundFen: aLine.totalFen, netFen: 170_000 - aLine.totalFen });
    expect((await pos.fail('checkout', 'complete')).code).toBe('TENDER_SHORT');
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 170_000 - aLine.totalFen });
    const r = await pos.call<SaleResult>('checkout', 'complete');
    expect(r.sale.kind).toBe('exchange');
    expect(r.sale.lines.map((l) => [l.sku, l.qty])).toEqual([
      [D.sku, 1],
      [A.sku, -1],
    ]);
    expect(pendingCount(pos.store.db) - eventsBefore).toBe(1);
  });

  it('an exchange costing less refunds the difference to the original tender', async () => {
    await login();
    await openTill();
    const { sale } = await bundleSale();
    const aLine = sale.lines.find((l) => l.sku === A.sku)!;
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: aLine.saleLineId, qty: 1 });
    const c = (await scan(E.ean)).cart;
    expect(c.totals.netFen).toBe(10_000 - aLine.totalFen);
    expect(c.refunds).toEqual([{ method: 'card', amountFen: aLine.totalFen - 10_000 }]);
    const r = await pos.call<SaleResult>('checkout', 'complete');
    // Back to the card it was paid with: the card payment's reference goes with the refund.
    expect(r.sale.tenders).toEqual([{ method: 'card', amountFen: -(aLine.totalFen - 10_000), reference: 'POS-778812' }]);
  });

  it("a return without receipt needs a manager and refunds cash at today's price", async () => {
    await login();
    await openTill();
    expect((await pos.fail('returns', 'noReceipt', { sku: E.sku, qty: 1 })).code).toBe('APPROVAL_REQUIRED');
    const { token } = await approve('no_receipt_return');
    const c = await pos.call<CartState>('returns', 'noReceipt', { sku: E.sku, qty: 1, approvalToken: token });
    expect(c.refunds).toEqual([{ method: 'cash', amountFen: 10_000 }]);
    const r = await pos.call<SaleResult>('checkout', 'complete');
    expect(r.sale).toMatchObject({ kind: 'return', totals: { netFen: -10_000 } });
    expect(r.drawer).toEqual({ opened: true });
  });
});

describe('cash-up', () => {
  it('reports expected cash from float, sales, refunds, paid-in and paid-out; blind X hides it; Z closes the day with the variance', async () => {
    await login();
    expect((await pos.fail('checkout', 'complete')).code).toBe('TILL_NOT_OPEN');
    const opened = await openTill(50_000);
    expect(opened).toMatchObject({ state: 'open', businessDay: '2026-11-22', floatFen: 50_000 });
    await bundleSale(); // cash 62,033, card 100,000
    await pos.call('cashup', 'paidIn', { amountFen: 10_000, reason: 'change from bank' });
    expect((await pos.fail('cashup', 'paidOut', { amountFen: 3_000, reason: 'cleaning' })).code).toBe('APPROVAL_REQUIRED');
    const { token } = await approve('paid_out');
    await pos.call('cashup', 'paidOut', { amountFen: 3_000, reason: 'cleaning', approvalToken: token });
    // The cashier counts blind: the expected figures need a manager.
    expect((await pos.fail('cashup', 'xReport', { blind: false })).code).toBe('APPROVAL_REQUIRED');
    const seeExpected = await approve('x_report');
    const x = await pos.call<CashReport>('cashup', 'xReport', { blind: false, approvalToken: seeExpected.token });
    expect(x.tenders).toEqual([
      { method: 'cash', expectedFen: 50_000 + 62_033 + 10_000 - 3_000, countedFen: null, varianceFen: null },
      { method: 'card', expectedFen: 100_000, countedFen: null, varianceFen: null },
    ]);
    const blind = await pos.call<CashReport>('cashup', 'xReport', { blind: true });
    expect(blind.tenders.every((t) => t.expectedFen === null)).toBe(true);
    const z = await pos.call<CashReport>('cashup', 'zReport', { counted: { cash: 119_000, card: 100_000 }, blind: true });
    expect(z).toMatchObject({ kind: 'z', salesCount: 1, paidInFen: 10_000, paidOutFen: 3_000, printed: { sent: true } });
    expect(z.tenders[0]).toEqual({ method: 'cash', expectedFen: 119_033, countedFen: 119_000, varianceFen: -33 });
    expect(devices.printed.at(-1)).toMatchObject({ kind: 'z_report' });
    expect(devices.drawer.map((d) => d.kind)).toEqual(['cash_up', 'cash_sale', 'paid_in', 'paid_out']);
    expect(await pos.call('cashup', 'state')).toMatchObject({ state: 'closed', lastZ: { businessDay: '2026-11-22' } });
    expect(outboxTypes()).toEqual(expect.arrayContaining(['till.opened', 'cash.paid_in', 'cash.paid_out', 'till.closed']));
    await scan(E.ean);
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
    expect((await pos.fail('checkout', 'complete')).code).toBe('TILL_NOT_OPEN');
  });

  it('takes the business day in store time: 23:30 in Shanghai is still that day, 00:30 the next', async () => {
    await login();
    now = Date.UTC(2026, 10, 22, 15, 30);
    expect(await openTill()).toMatchObject({ businessDay: '2026-11-22' });
    await pos.call('cashup', 'zReport', { counted: { cash: 50_000 } });
    now = Date.UTC(2026, 10, 22, 16, 30);
    expect(await openTill()).toMatchObject({ businessDay: '2026-11-23' });
  });
});

describe('limits, points and refunds hold when the cart or the commit changes under them', () => {
  it('keeps a cashier within the discount limit when the quantity of an amount-discounted line goes down', async () => {
    await login();
    await scan(E.ean); // ￥100
    const lineId = (await cart()).lines[0]!.lineId;
    await pos.call('checkout', 'setQty', { lineId, qty: 10 }); // ￥1,000
    await pos.call('checkout', 'lineDiscount', { lineId, discount: { kind: 'amount', amountFen: 10_000 } }); // 10%: the cashier's own limit
    // Down to one unit the same ￥100 off would be 100%: that needs a manager like any other discount above the limit.
    expect((await pos.fail('checkout', 'setQty', { lineId, qty: 1 })).code).toBe('APPROVAL_REQUIRED');
    expect(lineOf(await cart(), E)).toMatchObject({ qty: 10, manualDiscountFen: 10_000 });
    // Within the limit the quantity still changes freely.
    expect(lineOf(await pos.call<CartState>('checkout', 'setQty', { lineId, qty: 12 }), E)).toMatchObject({
      qty: 12,
      manualDiscountFen: 10_000,
    });
  });

  it('keeps a cashier within the discount limit when a price override lowers the line under an amount discount', async () => {
    await login();
    await scan(E.ean); // ￥100
    const lineId = (await cart()).lines[0]!.lineId;
    await pos.call('checkout', 'lineDiscount', { lineId, discount: { kind: 'amount', amountFen: 1_000 } }); // 10%
    const { token } = await approve('price_override');
    // The manager approved a price of ￥20, not ￥10 off it (50%).
    expect((await pos.fail('checkout', 'priceOverride', { lineId, unitFen: 2_000, reason: 'damaged', approvalToken: token })).code).toBe(
      'APPROVAL_REQUIRED',
    );
    expect(lineOf(await cart(), E)).toMatchObject({ unitFen: 10_000, manualDiscountFen: 1_000 });
  });

  it('never debits more points than the sale was paid with when the cart shrinks after redeeming', async () => {
    pos.store.db.prepare('UPDATE customer SET points = 20000 WHERE id = ?').run(demoMember.id);
    await login();
    await openTill();
    await scan(E.ean);
    const lineId = (await cart()).lines[0]!.lineId;
    await pos.call('checkout', 'setQty', { lineId, qty: 2 }); // ￥200
    await scan(memberCode);
    await pos.call('checkout', 'redeemPoints', { points: 15_000 }); // ￥150
    const shrunk = await pos.call<CartState>('checkout', 'setQty', { lineId, qty: 1 }); // ￥100 left: only 10,000 points can be used
    expect(shrunk.points).toMatchObject({ redeemed: 15_000, valueFen: 10_000 });
    expect((await pos.fail('checkout', 'complete')).code).toBe('POINTS_INSUFFICIENT');
    expect(pos.store.db.prepare('SELECT count(*) AS n FROM points_use').get()).toEqual({ n: 0 });
    await pos.call('checkout', 'redeemPoints', { points: 5_000 });
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 5_000 });
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');
    expect(sale.points).toMatchObject({ redeemed: 5_000, valueFen: 5_000 });
  });

  it('does not close the day while a refund to a mobile payment is still on its way', async () => {
    online = true;
    let release: () => void = () => undefined;
    const sandbox = sandboxPaymentProvider();
    const gated = {
      ...sandbox,
      name: 'gated',
      refund: async (r: Parameters<typeof sandbox.refund>[0]) => {
        await new Promise<void>((resolve) => (release = resolve));
        return sandbox.refund(r);
      },
    };
    pos.close();
    pos = openTestCheckout({
      dbPath: join(dir.path, 'shopfloor.db'),
      keyPath: join(dir.path, 'store.key'),
      clock: () => new Date(now),
      devices,
      online: () => online,
      payments: gated,
    });
    await login();
    await openTill();
    await scan(E.ean);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 1 });
    const refund = pos.call<SaleResult>('checkout', 'complete');
    const z = await pos.fail('cashup', 'zReport', { counted: { cash: 50_000, wechat: 0 } });
    release();
    const r = await refund;
    expect(z.code).toBe('CONFLICT');
    expect(r.sale.kind).toBe('return');
    const x = await pos.call<CashReport>('cashup', 'xReport', { blind: false, approvalToken: (await approve('x_report')).token });
    expect(x.tenders.find((t) => t.method === 'wechat')?.expectedFen).toBe(0);
  });

  it('refunds a mobile payment once when the commit after the refund fails and the cashier tries again', async () => {
    online = true;
    const sandbox = sandboxPaymentProvider();
    const refundIds: string[] = [];
    const counting = {
      ...sandbox,
      name: 'counting',
      refund: (r: Parameters<typeof sandbox.refund>[0]) => {
        refundIds.push(r.requestId);
        return sandbox.refund(r);
      },
    };
    pos.close();
    pos = openTestCheckout({
      dbPath: join(dir.path, 'shopfloor.db'),
      keyPath: join(dir.path, 'store.key'),
      clock: () => new Date(now),
      devices,
      online: () => online,
      payments: counting,
    });
    await login();
    await openTill();
    await scan(E.ean);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    const { sale } = await pos.call<SaleResult>('checkout', 'complete');
    await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 1 });
    // The write fails once after the gateway refunded (a full disk, a locked file).
    pos.store.db.exec("CREATE TEMP TRIGGER fail_once BEFORE INSERT ON sale BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    await pos.fail('checkout', 'complete');
    pos.store.db.exec('DROP TRIGGER fail_once');
    const r = await pos.call<SaleResult>('checkout', 'complete');
    expect(r.sale.tenders).toEqual([expect.objectContaining({ method: 'wechat', amountFen: -10_000 })]);
    // Both attempts asked the gateway for the same refund: it pays the customer back once.
    expect(new Set(refundIds).size).toBe(1);
  });
});
