import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval, CartState, SaleResult, SessionState } from '../api/contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';

// The returns service's own rules, through the real dispatcher on a real store: which receipts
// and lines a return can take, the order and identity of its lines, a no-receipt return's lookup.
// Mutation testing (npm run mutation -- refunds) showed these unchecked by the money tests.

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const [SHIRT, COAT] = plain.slice(0, 2) as [Sku, Sku];
const [member, other] = data.customers.filter((c) => c.store_id === 'loc-S001') as [
  (typeof data.customers)[number],
  (typeof data.customers)[number],
];
const MANAGER = 'S001-01';
const CASHIER = 'S001-02';

let dir: ReturnType<typeof tempDir>;
let pos: TestCheckout;
beforeEach(async () => {
  dir = tempDir();
  pos = openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    clock: () => new Date(Date.UTC(2026, 10, 22, 2, 0, 0)),
    online: () => false,
  });
  const price = pos.store.db.prepare('UPDATE sku SET price_fen = ? WHERE sku = ?');
  price.run(10_000, SHIRT.sku);
  price.run(13_001, COAT.sku);
  pos.store.db.exec('DELETE FROM promotion');
  await pos.call<SessionState>('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
  await pos.call('cashup', 'open', { floatFen: 50_000 });
});
afterEach(() => {
  pos.close();
  dir.cleanup();
});

/** Sells 3 coats and a shirt (to the member when asked), paid in cash. */
async function sell(withMember = false): Promise<SaleResult> {
  if (withMember) await pos.call('checkout', 'identifyMember', { code: memberCodeOf(member.id) });
  await pos.call('checkout', 'scan', { code: SHIRT.ean });
  for (let i = 0; i < 3; i++) await pos.call('checkout', 'scan', { code: COAT.ean });
  const cart = await pos.call<CartState>('checkout', 'cart');
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: cart.totals.dueFen });
  return pos.call<SaleResult>('checkout', 'complete');
}
const lineOf = (sale: SaleResult, sku: Sku) => sale.sale.lines.find((l) => l.sku === sku.sku)!;
const fail = async (domain: string, method: string, input: object) => pos.fail(domain, method, input);

describe('returns.start', () => {
  it('refuses a receipt that sold nothing (a return) and a second receipt while one return is open; the same one again is a no-op', async () => {
    const first = await sell();
    const second = await sell();
    await pos.call('returns', 'start', { receiptNo: first.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: lineOf(first, SHIRT).saleLineId, qty: 1 });
    expect(await fail('returns', 'start', { receiptNo: second.sale.receiptNo })).toEqual({
      code: 'CONFLICT',
      message: `A return of ${first.sale.receiptNo} is in progress: finish or cancel it first`,
    });
    const again = await pos.call<CartState>('returns', 'start', { receiptNo: first.sale.receiptNo });
    expect(again.return?.lines.map((l) => [l.sku, l.qty])).toEqual([[SHIRT.sku, 1]]);
    const back = await pos.call<SaleResult>('checkout', 'complete');
    expect(back.sale.kind).toBe('return');
    expect(await fail('returns', 'start', { receiptNo: back.sale.receiptNo })).toEqual({
      code: 'CONFLICT',
      message: `${back.sale.receiptNo} has nothing sold to return`,
    });
  });

  it("takes the sale's member into the return, and keeps it: the points the return takes back are theirs", async () => {
    const sale = await sell(true);
    const c = await pos.call<CartState>('returns', 'start', { receiptNo: sale.sale.receiptNo });
    expect(c.member?.id).toBe(member.id);
    await pos.call('returns', 'setQty', { saleLineId: lineOf(sale, SHIRT).saleLineId, qty: 1 });
    // Removing the member would keep the shirt's points; another member would lose points they never earned.
    const locked = {
      code: 'CONFLICT',
      message: `The return of ${sale.sale.receiptNo} is for its own member: cancel the return to change the member`,
    };
    expect(await fail('checkout', 'removeMember', {})).toEqual(locked);
    expect(await fail('checkout', 'identifyMember', { code: memberCodeOf(other.id) })).toEqual(locked);
    // The same member again changes nothing.
    expect((await pos.call<CartState>('checkout', 'identifyMember', { code: memberCodeOf(member.id) })).member?.id).toBe(member.id);
    const back = await pos.call<SaleResult>('checkout', 'complete');
    expect(back.sale.member?.id).toBe(member.id);
    expect(back.sale.points?.earned).toBeLessThan(0);
  });

  it("refuses a receipt while the cart is another member's, or any member's for a sale to no member", async () => {
    const theirs = await sell(true);
    const nobodys = await sell();
    await pos.call('checkout', 'identifyMember', { code: memberCodeOf(other.id) });
    expect(await fail('returns', 'start', { receiptNo: theirs.sale.receiptNo })).toEqual({
      code: 'CONFLICT',
      message: `${theirs.sale.receiptNo} was sold to another member: remove the cart's member to return it`,
    });
    expect(await fail('returns', 'start', { receiptNo: nobodys.sale.receiptNo })).toEqual({
      code: 'CONFLICT',
      message: `${nobodys.sale.receiptNo} was sold to no member: remove the cart's member to return it`,
    });
    await pos.call('checkout', 'removeMember', {});
    const c = await pos.call<CartState>('returns', 'start', { receiptNo: nobodys.sale.receiptNo });
    expect(c.member).toBeNull();
    // A sale to no member takes back no one's points: a member cannot join its return.
    expect((await fail('checkout', 'identifyMember', { code: memberCodeOf(member.id) })).code).toBe('CONFLICT');
    // With the receipt's own member already in the cart, the return starts.
    await pos.call('returns', 'cancel', {});
    await pos.call('checkout', 'identifyMember', { code: memberCodeOf(member.id) });
    expect((await pos.call<CartState>('returns', 'start', { receiptNo: theirs.sale.receiptNo })).member?.id).toBe(member.id);
  });
});

describe('returns.setQty', () => {
  it('needs a started return, a sold line of that receipt, and no more than is left', async () => {
    const sale = await sell();
    const coat = lineOf(sale, COAT);
    expect(await fail('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 1 })).toEqual({
      code: 'CONFLICT',
      message: 'Start a return with the receipt first',
    });
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    expect(await fail('returns', 'setQty', { saleLineId: 'nope', qty: 1 })).toEqual({
      code: 'NOT_FOUND',
      message: `No line nope on ${sale.sale.receiptNo}`,
    });
    expect(await fail('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 4 })).toEqual({
      code: 'RETURN_EXCEEDS_SALE',
      message: `Only 3 of ${COAT.sku} are left to return on ${sale.sale.receiptNo}`,
    });
    await pos.call('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 1 });
    const back = await pos.call<SaleResult>('checkout', 'complete');
    // A return line of the return receipt is not a line to return.
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    const returned = back.sale.lines[0]!;
    expect(await fail('returns', 'setQty', { saleLineId: returned.saleLineId, qty: 1 })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fail('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 3 })).toEqual({
      code: 'RETURN_EXCEEDS_SALE',
      message: `Only 2 of ${COAT.sku} are left to return on ${sale.sale.receiptNo}`,
    });
  });

  it("keeps the receipt's line order and a line's id when its quantity changes, and drops a line set to 0", async () => {
    const sale = await sell();
    const shirt = lineOf(sale, SHIRT);
    const coat = lineOf(sale, COAT);
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 1 });
    const both = await pos.call<CartState>('returns', 'setQty', { saleLineId: shirt.saleLineId, qty: 1 });
    expect(both.return?.lines.map((l) => l.saleLineId)).toEqual(sale.sale.lines.filter((l) => l.qty > 0).map((l) => l.saleLineId));
    const coatLineId = both.return!.lines.find((l) => l.saleLineId === coat.saleLineId)!.lineId;
    const more = await pos.call<CartState>('returns', 'setQty', { saleLineId: coat.saleLineId, qty: 2 });
    const coatLine = more.return!.lines.find((l) => l.saleLineId === coat.saleLineId)!;
    // 3 coats at 13,001 = 39,003: 2 of them are 26,002 (cumulative shares), one is 13,001 rounded.
    expect(coatLine).toMatchObject({ lineId: coatLineId, qty: 2, unitPaidFen: 13_001, refundFen: 26_002 });
    expect(more.return!.lines).toHaveLength(2);
    const shirtLineId = more.return!.lines.find((l) => l.saleLineId === shirt.saleLineId)!.lineId;
    const again = await pos.call<CartState>('returns', 'setQty', { saleLineId: shirt.saleLineId, qty: 1 });
    expect(again.return!.lines.map((l) => l.lineId).sort()).toEqual([coatLineId, shirtLineId].sort());
    const one = await pos.call<CartState>('returns', 'setQty', { saleLineId: shirt.saleLineId, qty: 0 });
    expect(one.return?.lines.map((l) => [l.saleLineId, l.qty])).toEqual([[coat.saleLineId, 2]]);
    const none = await pos.call<CartState>('returns', 'cancel');
    expect(none.return).toBeNull();
  });
});

describe('returns.noReceipt', () => {
  it('finds the SKU by code or by a short EAN, refuses an unknown one before using the approval, and adds lines to one return', async () => {
    const approve = async () =>
      (await pos.call<Approval>('staff', 'approve', { managerCode: MANAGER, pin: demoPin(MANAGER), action: 'no_receipt_return' })).token;
    const token = await approve();
    expect(await fail('returns', 'noReceipt', { sku: 'NO-SUCH-SKU', qty: 1, approvalToken: token })).toEqual({
      code: 'NOT_FOUND',
      message: 'SKU NO-SUCH-SKU is not in the catalog',
    });
    expect(await fail('returns', 'noReceipt', { sku: `${SHIRT.ean}9`, qty: 1, approvalToken: token })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fail('returns', 'noReceipt', { sku: `x${SHIRT.ean}`, qty: 1, approvalToken: token })).toMatchObject({ code: 'NOT_FOUND' });
    // The approval was not used up by the failed lookups.
    const one = await pos.call<CartState>('returns', 'noReceipt', { sku: SHIRT.sku, qty: 2, approvalToken: token });
    expect(one.return?.lines.map((l) => [l.sku, l.qty, l.refundFen])).toEqual([[SHIRT.sku, 2, 20_000]]);
    // A UPC-A (12 digits) typed for an EAN-13 with a leading 0 finds that SKU.
    pos.store.db.prepare('UPDATE sku SET ean = ? WHERE sku = ?').run('0614141000036', COAT.sku);
    const upc = '614141000036';
    const two = await pos.call<CartState>('returns', 'noReceipt', { sku: upc, qty: 1, approvalToken: await approve() });
    expect(two.return?.lines.map((l) => [l.sku, l.qty, l.saleLineId])).toEqual([
      [SHIRT.sku, 2, null],
      [COAT.sku, 1, null],
    ]);
    expect(two.refunds).toEqual([{ method: 'cash', amountFen: 33_001 }]);
  });
});

describe('points a return takes back', () => {
  it('returning everything, one unit at a time, takes back every point the sale earned: none left over from rounding', async () => {
    const price = pos.store.db.prepare('UPDATE sku SET price_fen = ? WHERE sku = ?');
    price.run(10_050, SHIRT.sku);
    price.run(13_060, COAT.sku);
    // ¥100.50 + 3 × ¥130.60 = ¥492.30: 492 points.
    const sale = await sell(true);
    expect(sale.sale.points?.earned).toBe(492);
    let takenBack = 0;
    for (const line of sale.sale.lines) {
      for (let i = 0; i < line.qty; i++) {
        await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
        await pos.call('returns', 'setQty', { saleLineId: line.saleLineId, qty: 1 });
        const back = await pos.call<SaleResult>('checkout', 'complete');
        takenBack += back.sale.points?.earned ?? 0;
      }
    }
    expect(takenBack).toBe(-492);
  });
});

describe('points through an exchange', () => {
  it('a shirt exchanged for a coat, the coat then returned: the points of the chain come to nothing', async () => {
    // ¥100 shirt (100 points) exchanged for a ¥130.01 coat (30 more), the coat returned: 130 back.
    await pos.call('checkout', 'identifyMember', { code: memberCodeOf(member.id) });
    await pos.call('checkout', 'scan', { code: SHIRT.ean });
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
    const sale = await pos.call<SaleResult>('checkout', 'complete');
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: lineOf(sale, SHIRT).saleLineId, qty: 1 });
    await pos.call('checkout', 'scan', { code: COAT.ean });
    await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 3_001 });
    const exchange = await pos.call<SaleResult>('checkout', 'complete');
    await pos.call('returns', 'start', { receiptNo: exchange.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: lineOf(exchange, COAT).saleLineId, qty: 1 });
    const back = await pos.call<SaleResult>('checkout', 'complete');
    expect([sale, exchange, back].map((s) => s.sale.points?.earned)).toEqual([100, 30, -130]);
  });
});
