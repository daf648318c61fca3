import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartState, SaleResult } from '../api/contract.js';
import { sandboxPaymentProvider } from '../checkout/payments.js';
import type { PaymentProvider } from '../checkout/payments.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';

// Two tills on one store file return from the same receipt at once: what the first one paid back
// is no longer there for the second, which must not pay it again.

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const SHIRT = plain[0] as Sku;
const CASHIER = 'S001-02';

let dir: ReturnType<typeof tempDir>;
const tills: TestCheckout[] = [];
/** The gateway both tills use; it outlives a till that dies. Every refund asked is recorded. */
let refunds: { requestId: string; amountFen: number }[] = [];
let gateway: PaymentProvider;
const till = async (online = false) => {
  const t = openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    online: () => online,
    payments: gateway,
  });
  tills.push(t);
  await t.call('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
  if (!t.services.tills.open()) await t.call('cashup', 'open', { floatFen: 50_000 });
  return t;
};
beforeEach(() => {
  dir = tempDir();
  refunds = [];
  const sandbox = sandboxPaymentProvider();
  gateway = {
    ...sandbox,
    refund: (r) => {
      refunds.push({ requestId: r.requestId, amountFen: r.amountFen });
      return sandbox.refund(r);
    },
  };
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
  dir.cleanup();
});

/**
 * A WeChat sale of `sold` shirts at ¥100 on the first till; the second till starts returning
 * `secondQty` of them; the first returns one more, the gateway pays its ¥100 back, and the first
 * till dies before it records the return.
 */
async function firstDiesAfterGatewayPaid(sold: number, secondQty: number): Promise<{ sale: SaleResult['sale']; second: TestCheckout }> {
  const first = await till(true);
  first.store.db.prepare('UPDATE sku SET price_fen = 10000 WHERE sku = ?').run(SHIRT.sku);
  first.store.db.exec('DELETE FROM promotion');
  for (let i = 0; i < sold; i++) await first.call('checkout', 'scan', { code: SHIRT.ean });
  await first.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
  const { sale } = await first.call<SaleResult>('checkout', 'complete');
  const line = sale.lines[0]!.saleLineId;
  const second = await till(true);
  await second.call('returns', 'start', { receiptNo: sale.receiptNo });
  await second.call('returns', 'setQty', { saleLineId: line, qty: secondQty });
  await first.call('returns', 'start', { receiptNo: sale.receiptNo });
  await first.call('returns', 'setQty', { saleLineId: line, qty: 1 });
  first.store.db.exec("CREATE TEMP TRIGGER fail_once BEFORE INSERT ON sale BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
  await first.fail('checkout', 'complete');
  first.close();
  tills.splice(tills.indexOf(first), 1);
  return { sale, second };
}

describe('two tills returning from one receipt at once', () => {
  it('the second refunds what is left of each payment, not the card money the first already paid back', async () => {
    const first = await till();
    first.store.db.prepare('UPDATE sku SET price_fen = 10000 WHERE sku = ?').run(SHIRT.sku);
    first.store.db.exec('DELETE FROM promotion');
    // Two ¥100 shirts, ¥100 on a card and ¥100 in cash.
    await first.call('checkout', 'scan', { code: SHIRT.ean });
    await first.call('checkout', 'scan', { code: SHIRT.ean });
    await first.call('checkout', 'addTender', { method: 'card', amountFen: 10_000, reference: 'CARD-1' });
    await first.call('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
    const { sale } = await first.call<SaleResult>('checkout', 'complete');
    const second = await till();
    for (const pos of [first, second]) {
      await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
      const cart = await pos.call<CartState>('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 1 });
      expect(cart.refunds).toEqual([{ method: 'card', amountFen: 10_000 }]);
    }
    const one = await first.call<SaleResult>('checkout', 'complete');
    expect(one.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['card', -10_000]]);
    // The second till's plan was made before the first paid the card back: it is made again.
    const stale = await second.fail('checkout', 'complete');
    expect(stale.code).toBe('CONFLICT');
    const fresh = await second.call<CartState>('checkout', 'cart');
    expect(fresh.refunds).toEqual([{ method: 'cash', amountFen: 10_000 }]);
    const two = await second.call<SaleResult>('checkout', 'complete');
    expect(two.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['cash', -10_000]]);
    const card = first.store.db.prepare("SELECT sum(t.amount_fen) FROM sale_tender t WHERE t.method = 'card'").pluck().get();
    expect(card).toBe(0);
  });
});

describe('a refund paid just before a till died, while another till returned from the same line', () => {
  it('is finished without asking the gateway to pay it a second time', async () => {
    const { sale, second } = await firstDiesAfterGatewayPaid(3, 2);
    expect(refunds.map((r) => r.amountFen)).toEqual([10_000]);
    // The second till records its two.
    await second.call<SaleResult>('checkout', 'complete');
    expect(refunds.map((r) => r.amountFen)).toEqual([10_000, 20_000]);
    // The first comes back: its return is finished as it was, with the ¥100 the gateway already paid.
    const again = await till(true);
    await again.call('returns', 'start', { receiptNo: sale.receiptNo });
    const back = await again.call<SaleResult>('checkout', 'complete');
    expect(back.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', -10_000]]);
    expect(refunds.map((r) => r.amountFen)).toEqual([10_000, 20_000]);
  });
});

describe('two tills each returning one unit of a WeChat line, the first dying after the gateway paid', () => {
  it("the second till's refund is its own at the gateway, not the first one's answered again", async () => {
    const { sale, second } = await firstDiesAfterGatewayPaid(2, 1);
    expect(refunds.map((r) => r.amountFen)).toEqual([10_000]);
    // The second till's customer gets their ¥100 from the gateway.
    await second.call<SaleResult>('checkout', 'complete');
    expect(refunds.map((r) => r.amountFen)).toEqual([10_000, 10_000]);
    expect(new Set(refunds.map((r) => r.requestId)).size).toBe(2);
    // The first comes back and finishes its return with the ¥100 the gateway paid it.
    const again = await till(true);
    await again.call('returns', 'start', { receiptNo: sale.receiptNo });
    const back = await again.call<SaleResult>('checkout', 'complete');
    expect(back.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', -10_000]]);
    expect(refunds).toHaveLength(2);
  });
});

describe('a return left waiting on the gateway on one till, and taken up by another till', () => {
  it('is recorded once when both tills complete it at the same moment, and the other cashier is told why', async () => {
    const first = await till(true);
    first.store.db.prepare('UPDATE sku SET price_fen = 10000 WHERE sku = ?').run(SHIRT.sku);
    first.store.db.exec('DELETE FROM promotion');
    for (let i = 0; i < 2; i++) await first.call('checkout', 'scan', { code: SHIRT.ean });
    await first.call('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' });
    const { sale } = await first.call<SaleResult>('checkout', 'complete');
    await first.call('returns', 'start', { receiptNo: sale.receiptNo });
    await first.call('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 1 });
    // The gateway does not answer the refund: the first till's cashier is told to complete again.
    const refund = gateway.refund;
    gateway.refund = () => Promise.reject(new Error('gateway timeout'));
    expect((await first.fail('checkout', 'complete')).code).toBe('PAYMENT_OFFLINE');
    // Meanwhile the customer is served at the second till, which takes up the return waiting on the gateway.
    const second = await till(true);
    await second.call('returns', 'start', { receiptNo: sale.receiptNo });
    // Both cashiers complete; the gateway answers both (one key: one refund).
    const held: (() => void)[] = [];
    gateway.refund = (r) => new Promise((ok) => held.push(() => ok(refund(r))));
    const outcomes = [first, second].map((pos) =>
      pos.call<SaleResult>('checkout', 'complete').then(
        () => 'recorded',
        (error: unknown) => (error as Error).message.split(':')[0],
      ),
    );
    while (held.length < 2) await new Promise((r) => setImmediate(r));
    for (const answer of held) answer();
    const answers = await Promise.all(outcomes);

    expect(new Set(refunds.map((r) => r.requestId)).size).toBe(1);
    expect(answers.sort()).toEqual(['CONFLICT', 'recorded']);
    expect(first.store.db.prepare("SELECT count(*) FROM sale WHERE kind = 'return'").pluck().get()).toBe(1);
    const returned = first.store.db.prepare('SELECT sum(amount_fen) FROM sale_tender WHERE amount_fen < 0').pluck().get();
    expect(returned).toBe(-10_000);
  });
});
