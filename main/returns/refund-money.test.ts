import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval, CashReport, SaleResult, SessionState } from '../api/contract.js';
import { sandboxPaymentProvider } from '../checkout/payments.js';
import type { PaymentProvider } from '../checkout/payments.js';
import { readOutbox } from '../store/outbox.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';
import { saleProblem } from '../../sync/hq/push/sale-rules.js';
import { saleCompletedSchema } from '../../sync/protocol/events/index.js';

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const [SHIRT, COAT] = plain.slice(0, 2) as [Sku, Sku];
const MANAGER = 'S001-01';
const CASHIER = 'S001-02';
const WECHAT_CODE = '134567890123456789';

/** The gateway outlives the terminal (a restart does not forget what it paid): every call is recorded. */
type Gateway = PaymentProvider & {
  charges: string[];
  refunds: { requestId: string; providerRef: string; amountFen: number }[];
  reversals: string[];
  /** The next charge gets no answer (a timeout), though the gateway took the money. */
  dropNextCharge: boolean;
};

function gateway(): Gateway {
  const sandbox = sandboxPaymentProvider();
  const g: Gateway = {
    ...sandbox,
    name: 'recording',
    charges: [],
    refunds: [],
    reversals: [],
    dropNextCharge: false,
    charge: async (r) => {
      g.charges.push(r.requestId);
      const answer = await sandbox.charge(r);
      if (g.dropNextCharge) {
        g.dropNextCharge = false;
        throw new Error('socket hang up');
      }
      return answer;
    },
    refund: (r) => {
      g.refunds.push({ requestId: r.requestId, providerRef: r.providerRef, amountFen: r.amountFen });
      return sandbox.refund(r);
    },
    reverse: (r) => {
      g.reversals.push(r.requestId);
      return sandbox.reverse(r);
    },
  };
  return g;
}

let dir: ReturnType<typeof tempDir>;
let pos: TestCheckout;
let gw: Gateway;
const now = Date.UTC(2026, 10, 22, 2, 0, 0);
const open = () =>
  openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    clock: () => new Date(now),
    online: () => true,
    payments: gw,
  });

beforeEach(() => {
  dir = tempDir();
  gw = gateway();
  pos = open();
  const price = pos.store.db.prepare('UPDATE sku SET price_fen = ? WHERE sku = ?');
  price.run(10_000, SHIRT.sku);
  price.run(13_000, COAT.sku);
  pos.store.db.exec('DELETE FROM promotion');
});
afterEach(() => {
  for (const e of readOutbox(pos.store.db, 10_000)) {
    if (e.type === 'sale.completed') expect(saleProblem(saleCompletedSchema.parse(e.payload))).toBeNull();
  }
  pos.close();
  dir.cleanup();
});

const login = (code = CASHIER) => pos.call<SessionState>('staff', 'login', { code, pin: demoPin(code) });
const approve = (action: string) => pos.call<Approval>('staff', 'approve', { managerCode: MANAGER, pin: demoPin(MANAGER), action });
const scan = (sku: Sku) => pos.call('checkout', 'scan', { code: sku.ean });
const complete = (input: object = {}) => pos.call<SaleResult>('checkout', 'complete', input);
const returnAll = async (sale: SaleResult) => {
  await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
  for (const l of sale.sale.lines.filter((x) => x.qty > 0)) await pos.call('returns', 'setQty', { saleLineId: l.saleLineId, qty: l.qty });
};
const tenders = (r: SaleResult) => r.sale.tenders.map((t) => [t.method, t.amountFen]);
const intents = () =>
  pos.store.db.prepare('SELECT kind, state, amount_fen FROM payment_intent ORDER BY created_at, id').all() as {
    kind: string;
    state: string;
    amount_fen: number;
  }[];

async function start() {
  await login();
  await pos.call('cashup', 'open', { floatFen: 50_000 });
}

/** ¥100 shirt paid by `pay`; exchanged for the ¥130 coat, the ¥30 difference paid by `pay` too. */
async function exchangeChain(pay: () => Promise<unknown>): Promise<{ sale: SaleResult; exchange: SaleResult }> {
  await scan(SHIRT);
  await pay();
  const sale = await complete();
  await returnAll(sale);
  await scan(COAT);
  await pay();
  const exchange = await complete();
  expect(exchange.sale.kind).toBe('exchange');
  return { sale, exchange };
}

describe('refunds follow the money back to where it came from', () => {
  it('a ¥100 card sale, exchanged for ¥130 (¥30 more by card), then returned: ¥130 back to the card, nothing in cash', async () => {
    await start();
    let n = 0;
    const { exchange } = await exchangeChain(() =>
      pos.call('checkout', 'addTender', { method: 'card', amountFen: n++ === 0 ? 10_000 : 3_000, reference: `CARD-${n}` }),
    );
    await returnAll(exchange);
    const cart = await pos.call<{ refunds: { method: string; amountFen: number }[] }>('checkout', 'cart');
    expect(cart.refunds).toEqual([{ method: 'card', amountFen: 13_000 }]);
    const back = await complete();
    // One refund per card payment it goes back to, each with that payment's reference.
    expect(back.sale.tenders.map((t) => [t.method, t.amountFen, t.reference])).toEqual([
      ['card', -10_000, 'CARD-1'],
      ['card', -3_000, 'CARD-2'],
    ]);
    const x = await pos.call<CashReport>('cashup', 'xReport', { blind: false, approvalToken: (await approve('x_report')).token });
    expect(x.tenders.find((t) => t.method === 'cash')?.expectedFen).toBe(50_000);
    expect(x.tenders.find((t) => t.method === 'card')?.expectedFen).toBe(0);
  });

  it('WeChat Pay through an exchange chain: each refund goes to the payment it came from, through the gateway', async () => {
    await start();
    const { sale, exchange } = await exchangeChain(() => pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE }));
    await returnAll(exchange);
    const back = await complete();
    expect(tenders(back)).toEqual([
      ['wechat', -10_000],
      ['wechat', -3_000],
    ]);
    expect(gw.refunds.map((r) => [r.providerRef, r.amountFen])).toEqual([
      [sale.sale.tenders[0]!.reference, 10_000],
      [exchange.sale.tenders[0]!.reference, 3_000],
    ]);
    expect(intents().map((i) => [i.kind, i.state])).toEqual([
      ['charge', 'settled'],
      ['charge', 'settled'],
      ['refund', 'settled'],
      ['refund', 'settled'],
    ]);
  });

  it('a second return of the same line later is a new refund at the gateway, not the first one answered again', async () => {
    await start();
    await scan(SHIRT);
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    for (let i = 0; i < 2; i++) {
      await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
      await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 1 });
      expect(tenders(await complete())).toEqual([['wechat', -10_000]]);
    }
    expect(new Set(gw.refunds.map((r) => r.requestId)).size).toBe(2);
  });

  it('cash instead of a card refund needs a manager, is marked on the tender and the sale event, and shows in the Z report', async () => {
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 10_000, reference: 'CARD-1' });
    const sale = await complete();
    await returnAll(sale);
    expect((await pos.fail('checkout', 'complete', { cashInstead: true })).code).toBe('APPROVAL_REQUIRED');
    const back = await complete({ cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    expect(tenders(back)).toEqual([['cash', -10_000]]);
    const event = readOutbox(pos.store.db, 100)
      .filter((e) => e.type === 'sale.completed')
      .at(-1)!;
    expect((event.payload as { tenders: unknown[] }).tenders).toEqual([expect.objectContaining({ method: 'cash', insteadOf: 'card' })]);
    const z = await pos.call<CashReport>('cashup', 'zReport', { counted: { cash: 40_000, card: 10_000 } });
    expect(z.cashInstead).toEqual([{ method: 'card', amountFen: 10_000, count: 1 }]);
    expect(z.tenders.find((t) => t.method === 'cash')).toMatchObject({ expectedFen: 40_000, varianceFen: 0 });
  });

  it('a refund the gateway refused can be paid in cash instead, with the approval', async () => {
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    await returnAll(sale);
    const refuse = gw.refund;
    gw.refund = () => Promise.resolve({ ok: false, reason: 'account frozen' });
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/account frozen.*cash instead/);
    gw.refund = refuse;
    await login(MANAGER);
    const back = await complete({ cashInstead: true });
    expect(tenders(back)).toEqual([['cash', -10_000]]);
    expect(back.sale.tenders[0]).not.toHaveProperty('insteadOf');
    expect(pos.store.db.prepare('SELECT instead_of FROM sale_tender WHERE sale_id = ?').get(back.sale.saleId)).toEqual({
      instead_of: 'wechat',
    });
  });
});

describe('cash instead after part of a refund went back through the gateway', () => {
  it('pays in cash only what the gateway did not pay back: the customer gets the return once', async () => {
    await start();
    // ¥100 + ¥130, paid with two WeChat Pay charges.
    await scan(SHIRT);
    await scan(COAT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE, amountFen: 10_000 });
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    expect(tenders(sale)).toEqual([
      ['wechat', 10_000],
      ['wechat', 13_000],
    ]);
    await returnAll(sale);
    // The gateway pays the first refund (¥130 to the second charge) and refuses the second.
    const paid: number[] = [];
    const sandboxRefund = gw.refund;
    let calls = 0;
    gw.refund = async (r) => {
      calls += 1;
      if (calls > 1) return { ok: false, reason: 'account frozen' };
      const answer = await sandboxRefund(r);
      if (answer.ok) paid.push(r.amountFen);
      return answer;
    };
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/account frozen.*cash instead/);
    expect(paid).toEqual([13_000]);
    // A manager approves cash for what the gateway refused.
    const back = await complete({ cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    const cash = back.sale.tenders.filter((t) => t.method === 'cash').reduce((a, t) => a - t.amountFen, 0);
    // ¥230 was paid; ¥130 of it is back on WeChat Pay already: only ¥100 may leave the drawer.
    expect(paid.reduce((a, b) => a + b, 0) + cash).toBe(23_000);
    expect(tenders(back)).toEqual([
      ['wechat', -13_000],
      ['cash', -10_000],
    ]);
    // The paid gateway refund is recorded by the sale (the day can close).
    expect(intents().filter((i) => i.kind === 'refund').map((i) => i.state)).toEqual(['settled', 'failed']);
  });
});

describe('gateway money is written down before it moves', () => {
  it('a refund paid before a failed commit fixes the return: it cannot be edited, and completing again pays it once', async () => {
    await start();
    await scan(SHIRT);
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 1 });
    pos.store.db.exec("CREATE TEMP TRIGGER fail_once BEFORE INSERT ON sale BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    await pos.fail('checkout', 'complete');
    pos.store.db.exec('DROP TRIGGER fail_once');
    // The money went back for one shirt: the return cannot become two shirts, nor be dropped.
    const edit = await pos.fail('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 2 });
    expect(edit).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/refund has been paid/) });
    expect((await pos.fail('returns', 'cancel')).code).toBe('CONFLICT');
    expect((await pos.fail('checkout', 'clear')).code).toBe('CONFLICT');
    // The second attempt finds the refund paid (written down) and does not ask the gateway again.
    expect(tenders(await complete())).toEqual([['wechat', -10_000]]);
    expect(gw.refunds).toHaveLength(1);
  });

  it('a refund paid just before the terminal died: the day cannot close until the return is finished, and it is finished as it was', async () => {
    await start();
    await scan(SHIRT);
    await scan(COAT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[1]!.saleLineId, qty: 1 });
    pos.store.db.exec("CREATE TEMP TRIGGER fail_once BEFORE INSERT ON sale BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    await pos.fail('checkout', 'complete');
    // The terminal dies: the cart in memory is gone; the gateway paid ¥130 back.
    pos.close();
    pos = open();
    await login();
    const z = await pos.fail('cashup', 'zReport', { counted: { cash: 50_000 } });
    expect(z.message).toContain(sale.sale.receiptNo);
    // Returns with the receipt: the same return comes back, fixed, and completes without paying again.
    const cart = await pos.call<{ return: { lines: { sku: string; qty: number }[] }; refunds: unknown[] }>('returns', 'start', {
      receiptNo: sale.sale.receiptNo,
    });
    expect(cart.return.lines.map((l) => [l.sku, l.qty])).toEqual([[COAT.sku, 1]]);
    expect(cart.refunds).toEqual([{ method: 'wechat', amountFen: 13_000 }]);
    expect((await pos.fail('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 1 })).code).toBe('CONFLICT');
    const back = await complete();
    expect(tenders(back)).toEqual([['wechat', -13_000]]);
    expect(gw.refunds).toHaveLength(1);
    expect((await pos.call<CashReport>('cashup', 'zReport', { counted: { cash: 50_000, wechat: 10_000 } })).kind).toBe('z');
  });

  it('a charge taken for a cart the terminal lost is reversed at the gateway when it comes back, and audited', async () => {
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    // The terminal dies before the sale is completed: the customer's ¥100 is at the gateway.
    pos.close();
    pos = open();
    expect(intents()).toEqual([{ kind: 'charge', state: 'paid', amount_fen: 10_000 }]);
    expect(await pos.services.recovery.run()).toBe(0);
    expect(gw.reversals).toEqual([gw.charges[0]]);
    expect(intents()).toEqual([{ kind: 'charge', state: 'reversed', amount_fen: 10_000 }]);
    const audit = readOutbox(pos.store.db, 100).find((e) => e.type === 'device.payment_reversed');
    expect(audit?.payload).toMatchObject({ method: 'wechat', amountFen: 10_000, wasPaid: true });
    // Nothing is left to reverse, and a cart's own payment is never an orphan.
    await login();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    expect(await pos.services.recovery.run()).toBe(0);
    expect(gw.reversals).toHaveLength(1);
    expect((await complete()).sale.tenders).toHaveLength(1);
  });

  it('a charge whose answer never came is cancelled at once, and the cart takes no payment for it', async () => {
    await start();
    await scan(SHIRT);
    gw.dropNextCharge = true;
    const failed = await pos.fail('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    expect(failed).toMatchObject({ code: 'PAYMENT_DECLINED', message: expect.stringMatching(/did not answer.*cancelled/) });
    expect(gw.reversals).toEqual([gw.charges[0]]);
    expect((await pos.call<{ tenders: unknown[] }>('checkout', 'cart')).tenders).toEqual([]);
    expect(intents()).toEqual([{ kind: 'charge', state: 'reversed', amount_fen: 10_000 }]);
    // The customer scans again: a new charge, under a new key.
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    expect(new Set(gw.charges).size).toBe(2);
    expect((await complete()).sale.tenders).toHaveLength(1);
  });

  it('offline, a lost charge waits: recovery leaves it for later and reverses it once the gateway answers', async () => {
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    pos.close();
    let online = false;
    pos = openTestCheckout({
      dbPath: join(dir.path, 'shopfloor.db'),
      keyPath: join(dir.path, 'store.key'),
      clock: () => new Date(now),
      online: () => online,
      payments: gw,
    });
    expect(await pos.services.recovery.run()).toBe(1);
    expect(gw.reversals).toEqual([]);
    online = true;
    expect(await pos.services.recovery.run()).toBe(0);
    expect(gw.reversals).toHaveLength(1);
  });
});
