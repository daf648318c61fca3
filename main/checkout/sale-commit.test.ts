import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../api/errors.js';
import { fileKeyStore } from '../store/key-store.js';
import { migrations } from '../store/migrations/index.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { readOutbox } from '../store/outbox.js';
import type { OutboxContext } from '../store/outbox.js';
import { seedStoreRows } from '../testing/store-rows.js';
import { tempDir } from '../testing/temp-dir.js';
import { testPromotion } from '../testing/cart-fixtures.js';
import { emptyCart, renderCart } from './cart.js';
import type { CartData, CartItem, TenderRecord } from './cart.js';
import type { Coupon } from './pricing.js';
import { commitSale } from './sale-commit.js';
import type { RefundTender, SaleCommit } from './sale-commit.js';

// commitSale on a real store file, rows and event read back. The till's own path (checkout
// service → commit) is in checkout.test.ts and refund-money.test.ts; these pin what the commit
// itself writes and refuses, which mutation testing (npm run mutation -- sale-commit) showed
// untested there: line detail, refund tenders, the event's coupons and points, the in-transaction checks.

const SKU = 'SF25W0001-001-S';
const n = { zh: '羽绒服', en: 'Down coat' };
const AT = '2025-01-02T06:00:00.000Z';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let outbox: OutboxContext;
let ids: number;
beforeEach(() => {
  dir = tempDir();
  store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: fileKeyStore(join(dir.path, 'store.key')) });
  // A store as the app of every version left it: S001, an open day ses-1, sale sal-1 (line sl-1) fully returned.
  seedStoreRows(store.db, migrations.length);
  store.db.exec(`INSERT INTO coupon (code, kind, name_zh, name_en, value_fen, threshold_fen, valid_from, valid_until) VALUES
    ('CPN-T-9', 'threshold', '满9999减9', '9 off 9999', 900, 999_900, '2025-01-01T00:00:00.000Z', '2025-12-31T00:00:00.000Z')`);
  ids = 0;
  outbox = { db: store.db, newId: () => `evt-${++ids}`, clock: () => new Date(AT), deviceId: 'dev-1', storeId: 'loc-S001' };
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

const item = (lineId: string, qty: number, more: Partial<CartItem> = {}): CartItem => ({
  lineId,
  sku: SKU,
  ean: '6971111376183',
  styleCode: 'SF25W0001',
  category: 'Outerwear',
  name: n,
  colour: { zh: '黑色', en: 'Black' },
  size: 'S',
  qty,
  listUnitFen: 129_900,
  override: null,
  manual: null,
  discountApprovedBy: null,
  ...more,
});
const coupon = (code: string, kind: Coupon['kind'], valueFen: number, thresholdFen = 0): Coupon => ({
  code,
  kind,
  name: n,
  valueFen,
  thresholdFen,
  percentBp: 0,
  stackable: true,
});

/** A commit of `data` as the payment service makes one (prices from the real engine). */
function commitOf(saleId: string, data: CartData, more: Partial<SaleCommit> = {}): SaleCommit {
  const rendered = renderCart(data, {
    promotions: [],
    member: null,
    pointsValueFen: data.points,
    offline: true,
    couponOffline: true,
    now: AT,
  });
  return {
    saleId,
    kind: 'sale',
    staffId: 'stf-02',
    sessionId: 'ses-1',
    businessDay: '2025-01-02',
    storeCode: 'S001',
    deviceCode: 'D1',
    storeId: 'loc-S001',
    customerId: null,
    items: data.items,
    ret: data.ret,
    rendered,
    tenders: data.tenders,
    refunds: [],
    intents: [],
    points: null,
    pointsEarned: 0,
    offline: true,
    createdAt: AT,
    ...more,
  };
}

let tenderNo = 0;
const cash = (amountFen: number, givenFen: number): TenderRecord => ({
  tenderId: `t-${++tenderNo}`,
  method: 'cash',
  amountFen,
  givenFen,
  changeFen: givenFen - amountFen,
});
const stock = () => store.db.prepare("SELECT qty FROM stock WHERE location_id = 'loc-S001' AND sku = ?").pluck().get(SKU);
const lines = (saleId: string) =>
  store.db
    .prepare('SELECT id, line_no, qty, discount_fen, total_fen, detail, original_line_id FROM sale_line WHERE sale_id = ? ORDER BY line_no')
    .all(saleId);
const tenders = (saleId: string) =>
  store.db
    .prepare('SELECT id, method, amount_fen, given_fen, change_fen, reference, instead_of FROM sale_tender WHERE sale_id = ? ORDER BY id')
    .all(saleId);

/** Sells 2 coats (one line, 1,000 off by a manager) to cus-1 with the ¥1.1 coupon, 100 points and cash. */
function sellTwo(saleId = 'sal-10', lineId = 'ln-1') {
  const data: CartData = {
    ...emptyCart('cart-1'),
    items: [item(lineId, 2, { manual: { kind: 'amount', amountFen: 1_000 }, discountApprovedBy: 'stf-01' })],
    coupons: [coupon('CPN-00000001-111', 'amount', 110), coupon('CPN-T-9', 'threshold', 900, 999_900)],
    points: 100,
  };
  const total = 2 * 129_900 - 1_000 - 110 - 100;
  data.tenders = [cash(total, total + 90)];
  return commitSale(outbox, commitOf(saleId, data, { customerId: 'cus-1', points: { redeemed: 100, valueFen: 100 }, pointsEarned: 2_586 }));
}

describe('commitSale', () => {
  it('writes the sale, its lines with their detail, stock, tenders, coupon and points, and an event that says the same', () => {
    const stockBefore = stock() as number;
    const { receiptNo, payload } = sellTwo();
    // ses-1's day had 2 receipts already.
    expect(receiptNo).toBe('S001-D1-250102-0003');
    expect(payload.receiptNo).toBe(receiptNo);
    expect(store.db.prepare('SELECT receipt_no FROM sale WHERE id = ?').pluck().get('sal-10')).toBe(receiptNo);
    expect(stock()).toBe(stockBefore - 2);
    expect(lines('sal-10')).toEqual([
      {
        id: 'ln-1',
        line_no: 1,
        qty: 2,
        discount_fen: 1_210,
        total_fen: 258_590,
        detail: JSON.stringify({
          manualDiscount: { kind: 'amount', amountFen: 1_000 },
          manualDiscountFen: 1_000,
          discountApprovedBy: 'stf-01',
          override: null,
          promotions: [],
          promotionDiscountFen: 0,
          orderDiscountFen: 210,
        }),
        original_line_id: null,
      },
    ]);
    expect(tenders('sal-10')).toEqual([
      { id: `t-${tenderNo}`, method: 'cash', amount_fen: 258_590, given_fen: 258_680, change_fen: 90, reference: null, instead_of: null },
    ]);
    // Only the coupon that took money off is used; the unmet threshold coupon stays free.
    expect(store.db.prepare('SELECT code, sale_id, offline FROM coupon_use ORDER BY code').all()).toEqual([
      { code: 'CPN-00000001-111', sale_id: 'sal-10', offline: 1 },
    ]);
    expect(store.db.prepare("SELECT code, discount_fen, offline FROM sale_coupon WHERE sale_id = 'sal-10'").all()).toEqual([
      { code: 'CPN-00000001-111', discount_fen: 110, offline: 1 },
    ]);
    expect(store.db.prepare("SELECT customer_id, points, offline FROM points_use WHERE sale_id = 'sal-10'").get()).toEqual({
      customer_id: 'cus-1',
      points: 100,
      offline: 1,
    });
    expect(payload).toMatchObject({
      saleId: 'sal-10',
      customerId: 'cus-1',
      serviceGuideId: 'stf-04',
      lines: [{ lineId: 'ln-1', qty: 2, listUnitFen: 129_900, unitFen: 129_900, discountFen: 1_210, totalFen: 258_590, promotions: [] }],
      tenders: [{ method: 'cash', amountFen: 258_590, reference: null, providerRef: null }],
      coupons: [{ code: 'CPN-00000001-111', discountFen: 110, spentOffline: true }],
      points: { redeemed: 100, valueFen: 100, spentOffline: true, earned: 2_586 },
      totals: { subtotalFen: 259_800, discountFen: 1_210, totalFen: 258_590, refundFen: 0, netFen: 258_590, changeFen: 90 },
    });
    // The seed's two events, then this sale's.
    expect(readOutbox(store.db, 10).map((e) => e.payload)).toEqual([expect.anything(), expect.anything(), payload]);
  });

  it("records the line's promotions, and no use of a coupon that took nothing off", () => {
    const promotion = testPromotion('pro-9', { name: n, percentBp: 1_000 });
    const data: CartData = {
      ...emptyCart('cart-9'),
      items: [item('ln-9', 1)],
      // The first coupon takes all that is left after the promotion, so the ¥1.1 one takes nothing and stays free.
      coupons: [coupon('CPN-15-PCT', 'amount', 116_910), coupon('CPN-00000001-111', 'amount', 110)],
    };
    const rendered = renderCart(data, {
      promotions: [promotion],
      member: null,
      pointsValueFen: 0,
      offline: true,
      couponOffline: true,
      now: AT,
    });
    expect(rendered.state.coupons.map((c) => [c.code, c.active, c.discountFen])).toEqual([
      ['CPN-15-PCT', true, 116_910],
      ['CPN-00000001-111', true, 0],
    ]);
    const { payload } = commitSale(outbox, { ...commitOf('sal-9', data), rendered });
    expect(payload.lines[0]!.promotions).toEqual([{ id: 'pro-9', discountFen: 12_990 }]);
    expect(payload.coupons).toEqual([{ code: 'CPN-15-PCT', discountFen: 116_910, spentOffline: true }]);
    expect(store.db.prepare("SELECT code FROM coupon_use WHERE sale_id = 'sal-9'").pluck().all()).toEqual(['CPN-15-PCT']);
  });

  it('sends points only when some were redeemed or earned', () => {
    const data = (k: number): CartData => ({ ...emptyCart(`cart-${k}`), items: [item(`ln-${k}`, 1)], tenders: [cash(129_900, 129_900)] });
    expect(commitSale(outbox, commitOf('sal-11', data(11))).payload.points).toBeNull();
    const earned = commitSale(outbox, commitOf('sal-12', data(12), { customerId: 'cus-2', pointsEarned: 1_299 }));
    expect(earned.payload.points).toEqual({ redeemed: 0, valueFen: 0, spentOffline: true, earned: 1_299 });
    const refunded = commitSale(outbox, commitOf('sal-13', data(13), { customerId: 'cus-2', pointsEarned: -5 }));
    expect(refunded.payload.points).toEqual({ redeemed: 0, valueFen: 0, spentOffline: true, earned: -5 });
    expect(store.db.prepare("SELECT count(*) FROM points_use WHERE sale_id IN ('sal-11', 'sal-12', 'sal-13')").pluck().get()).toBe(0);
  });

  it('writes a return: negative lines back into stock, refund tenders in order with their reference and what they stand in for', () => {
    sellTwo();
    const stockBefore = stock() as number;
    const ret = {
      receiptNo: 'S001-D1-250102-0003',
      saleId: 'sal-10',
      lines: [
        {
          lineId: 'rl-1',
          saleLineId: 'ln-1',
          sku: SKU,
          name: n,
          colour: { zh: '黑色', en: 'Black' },
          size: 'S',
          qty: 1,
          unitPaidFen: 129_295,
          refundFen: 129_295,
        },
        {
          lineId: 'rl-2',
          saleLineId: null,
          sku: SKU,
          name: n,
          colour: { zh: '黑色', en: 'Black' },
          size: 'S',
          qty: 1,
          unitPaidFen: 129_900,
          refundFen: 129_900,
        },
      ],
    };
    const refunds: RefundTender[] = [
      { method: 'card', amountFen: 200_000, reference: 'C-1' },
      { method: 'cash', amountFen: 59_195, insteadOf: 'alipay' },
    ];
    const { payload } = commitSale(outbox, commitOf('sal-20', { ...emptyCart('cart-3'), ret }, { kind: 'return', refunds }));
    expect(stock()).toBe(stockBefore + 2);
    expect(lines('sal-20')).toEqual([
      { id: 'rl-1', line_no: 1, qty: -1, discount_fen: 0, total_fen: -129_295, detail: '{"noReceipt":false}', original_line_id: 'ln-1' },
      { id: 'rl-2', line_no: 2, qty: -1, discount_fen: 0, total_fen: -129_900, detail: '{"noReceipt":true}', original_line_id: null },
    ]);
    expect(tenders('sal-20')).toEqual([
      { id: 'sal-20-rf1', method: 'card', amount_fen: -200_000, given_fen: null, change_fen: null, reference: 'C-1', instead_of: null },
      { id: 'sal-20-rf2', method: 'cash', amount_fen: -59_195, given_fen: null, change_fen: null, reference: null, instead_of: 'alipay' },
    ]);
    expect(payload.originalSaleId).toBe('sal-10');
    expect(payload.tenders).toEqual([
      { method: 'card', amountFen: -200_000, reference: 'C-1', providerRef: 'C-1' },
      { method: 'cash', amountFen: -59_195, reference: null, providerRef: null, insteadOf: 'alipay' },
    ]);
    expect(payload.lines.map((l) => [l.lineId, l.qty, l.totalFen, l.originalLineId])).toEqual([
      ['rl-1', -1, -129_295, 'ln-1'],
      ['rl-2', -1, -129_900, null],
    ]);
  });

  it('refuses, inside its transaction, to take back more than is left on a line, and writes nothing', () => {
    sellTwo();
    const ret = (qty: number, saleLineId = 'ln-1') => ({
      receiptNo: 'S001-D1-250102-0003',
      saleId: 'sal-10',
      lines: [{ lineId: `rl-${qty}`, saleLineId, sku: SKU, name: n, colour: n, size: 'S', qty, unitPaidFen: 1, refundFen: qty }],
    });
    const counter = () => store.db.prepare("SELECT last_seq FROM receipt_counter WHERE business_day = '2025-01-02'").pluck().get();
    const seq = counter();
    const attempt = (saleId: string, qty: number, saleLineId?: string) => () =>
      commitSale(outbox, commitOf(saleId, { ...emptyCart(saleId), ret: ret(qty, saleLineId) }, { kind: 'return' }));
    expect(attempt('sal-21', 3)).toThrow(new AppError('RETURN_EXCEEDS_SALE', `Only 2 of ${SKU} are left to return on this receipt`));
    attempt('sal-22', 1)();
    expect(attempt('sal-23', 2)).toThrow(new AppError('RETURN_EXCEEDS_SALE', `Only 1 of ${SKU} are left to return on this receipt`));
    // sl-1 of the seeded sale was returned in full already; a line this device never sold has nothing left.
    expect(attempt('sal-24', 1, 'sl-1')).toThrow(
      new AppError('RETURN_EXCEEDS_SALE', `Only 0 of ${SKU} are left to return on this receipt`),
    );
    expect(attempt('sal-25', 1, 'nope')).toThrow(
      new AppError('RETURN_EXCEEDS_SALE', `Only 0 of ${SKU} are left to return on this receipt`),
    );
    expect(store.db.prepare("SELECT id FROM sale WHERE id LIKE 'sal-2_' ORDER BY id").pluck().all()).toEqual(['sal-22']);
    expect(counter()).toBe((seq as number) + 1);
    expect(
      readOutbox(store.db, 10)
        .slice(2)
        .map((e) => (e.payload as { saleId: string }).saleId),
    ).toEqual(['sal-10', 'sal-22']);
    const err = (() => {
      try {
        attempt('sal-26', 2)();
      } catch (e) {
        return e as AppError;
      }
      return null;
    })();
    expect(err?.code).toBe('RETURN_EXCEEDS_SALE');
  });

  it('refuses a coupon this device already spent on an unsettled sale, and takes one whose sale HQ has settled', () => {
    // The seed's sal-1 used CPN-00000001-111 and HQ has settled it: the coupon may be used again (HQ judges).
    sellTwo('sal-10');
    expect(() => sellTwo('sal-30', 'ln-30')).toThrow(
      new AppError('COUPON_USED', 'Coupon CPN-00000001-111 was already used on this device'),
    );
    expect(store.db.prepare("SELECT count(*) FROM sale WHERE id = 'sal-30'").pluck().get()).toBe(0);
    expect(store.db.prepare("SELECT sale_id FROM coupon_use WHERE code = 'CPN-00000001-111'").pluck().get()).toBe('sal-10');
  });
});
