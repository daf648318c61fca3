import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Approval, CartState, CashReport, SaleResult, SessionState } from '../api/contract.js';
import { sandboxPaymentProvider } from '../checkout/payments.js';
import type { ChargeResult, PaymentProvider } from '../checkout/payments.js';
import { SalesReader } from '../checkout/sales-reader.js';
import { readOutbox } from '../store/outbox.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';
import { exceptionsOf } from '../../sync/hq/projector/check-refunds.js';
import { saleProblem } from '../../sync/hq/push/sale-rules.js';
import { saleCompletedSchema } from '../../sync/protocol/events/index.js';

// The till's money against a recording payment gateway, through the API as the renderer calls it:
// refunds back to where the money came from, cash instead of them, gateway charges and refunds
// written down before they are made and recovered after a crash, and a cart's prices held while
// the customer pays.

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const [SHIRT, COAT, SCARF] = plain.slice(0, 3) as [Sku, Sku, Sku];
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
  /** How many of the next refunds asked under a new key are refused (the merchant's balance is short for a moment). */
  refuseNewRefunds: number;
  /** The refunds the gateway paid (its references): one per key, however often a key is asked. */
  refundsPaid: () => string[];
};

function gateway(): Gateway {
  const sandbox = sandboxPaymentProvider();
  // Like WeChat Pay's out_refund_no and Alipay's out_request_no: a key asked again gets its first answer, a refusal too.
  const answers = new Map<string, ChargeResult>();
  const g: Gateway = {
    ...sandbox,
    name: 'recording',
    charges: [],
    refunds: [],
    reversals: [],
    dropNextCharge: false,
    refuseNewRefunds: 0,
    refundsPaid: () => [...answers.values()].flatMap((a) => (a.ok ? [a.providerRef] : [])),
    charge: async (r) => {
      g.charges.push(r.requestId);
      const answer = await sandbox.charge(r);
      if (g.dropNextCharge) {
        g.dropNextCharge = false;
        throw new Error('socket hang up');
      }
      return answer;
    },
    refund: async (r) => {
      g.refunds.push({ requestId: r.requestId, providerRef: r.providerRef, amountFen: r.amountFen });
      const prior = answers.get(r.requestId);
      if (prior) return prior;
      let answer: ChargeResult;
      if (g.refuseNewRefunds > 0) {
        g.refuseNewRefunds--;
        answer = { ok: false, reason: 'merchant balance short' };
      } else answer = await sandbox.refund(r);
      answers.set(r.requestId, answer);
      return answer;
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
let now = Date.UTC(2026, 10, 22, 2, 0, 0);
/** The terminal on the test's store, online or as `online` says. */
const open = (online: () => boolean = () => true) =>
  openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    clock: () => new Date(now),
    online,
    payments: gw,
  });

beforeEach(() => {
  now = Date.UTC(2026, 10, 22, 2, 0, 0);
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

/** The till opened, and the ¥100 shirt sold on one WeChat Pay code. */
async function shirtOnWechat(): Promise<SaleResult> {
  await start();
  await scan(SHIRT);
  await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
  return complete();
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
    const sale = await shirtOnWechat();
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

describe('returns of one sale replayed in the order the till made them', () => {
  it('a till whose clock stepped back between two returns still pays the third from what is really left', async () => {
    const price = pos.store.db.prepare('UPDATE sku SET price_fen = ? WHERE sku = ?');
    price.run(5_000, SHIRT.sku);
    price.run(7_000, COAT.sku);
    price.run(4_000, SCARF.sku);
    await start();
    for (const sku of [SHIRT, COAT, SCARF]) await scan(sku);
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 10_000, reference: 'CARD-A' });
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 6_000, reference: 'CARD-B' });
    const sale = await complete();
    const line = (sku: Sku) => sale.sale.lines.find((l) => l.sku === sku.sku)!;
    const giveBack = async (sku: Sku) => {
      await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
      await pos.call('returns', 'setQty', { saleLineId: line(sku).saleLineId, qty: 1 });
      return (await complete()).sale.tenders.map((t) => [t.reference, t.amountFen]);
    };
    // 10:00 the shirt: ¥50 off the bigger card. Then the till's clock steps back an hour (a bad NTP
    // answer, a dead RTC battery): the coat goes back at 09:00, taking card B's ¥60 and ¥10 of A.
    now += 60_000;
    expect(await giveBack(SHIRT)).toEqual([['CARD-A', -5_000]]);
    now -= 3_600_000;
    expect(await giveBack(COAT)).toEqual([
      ['CARD-B', -6_000],
      ['CARD-A', -1_000],
    ]);
    // Card B is spent: the scarf's ¥40 is what is left of card A. Replayed by their times (the
    // coat's return before the shirt's), the till found ¥10 of card B left and refunded ¥70 to a
    // card that paid ¥60 — HQ, which replays them in the order they came, listed it for finance.
    now += 1_800_000;
    expect(await giveBack(SCARF)).toEqual([['CARD-A', -4_000]]);
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
    pos = open(() => online);
    expect(await pos.services.recovery.run()).toBe(1);
    expect(gw.reversals).toEqual([]);
    online = true;
    expect(await pos.services.recovery.run()).toBe(0);
    expect(gw.reversals).toHaveLength(1);
  });
});

describe('a void the gateway did not answer', () => {
  it('keeps the payment in the cart, refuses to complete with it, and asks again under the same key when voided again', async () => {
    await start();
    await scan(SHIRT);
    const cart = await pos.call<CartState>('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const tenderId = cart.tenders[0]!.tenderId;
    // The refund reaches the gateway (the money goes back) but its answer is lost.
    const refund = gw.refund;
    gw.refund = async (r) => {
      await refund(r);
      throw new Error('socket hang up');
    };
    const token = async () => (await approve('void_tender')).token;
    const lost = await pos.fail('checkout', 'removeTender', { tenderId, approvalToken: await token() });
    expect(lost).toEqual({
      code: 'PAYMENT_DECLINED',
      message: 'The payment gateway did not answer the refund (socket hang up): void the payment again; it is never refunded twice',
    });
    // The customer may have the money back: the sale cannot be completed with that payment.
    expect((await pos.call<CartState>('checkout', 'cart')).tenders).toHaveLength(1);
    expect(await pos.fail('checkout', 'complete', {})).toEqual({
      code: 'CONFLICT',
      message: 'The gateway has not said whether the ￥100.00 wechat payment was refunded: void it again first',
    });
    gw.refund = refund;
    const voided = await pos.call<CartState>('checkout', 'removeTender', { tenderId, approvalToken: await token() });
    expect(voided.tenders).toEqual([]);
    // Both asks carried the same key: the gateway refunds once.
    expect(gw.refunds.map((r) => r.requestId)).toEqual([`${tenderId}-void`, `${tenderId}-void`]);
  });
});

describe('a void the gateway refused', () => {
  it('is asked again under a new key (the old one would be refused forever), and an unanswered one keeps its key', async () => {
    await start();
    await scan(SHIRT);
    const cart = await pos.call<CartState>('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const tenderId = cart.tenders[0]!.tenderId;
    const token = async () => (await approve('void_tender')).token;
    gw.refuseNewRefunds = 1;
    const refused = await pos.fail('checkout', 'removeTender', { tenderId, approvalToken: await token() });
    expect(refused).toMatchObject({ code: 'PAYMENT_DECLINED', message: expect.stringMatching(/merchant balance short/) });
    expect((await pos.call<CartState>('checkout', 'cart')).tenders).toHaveLength(1);
    // The next ask reaches the gateway, which refunds, but the answer is lost: voiding again asks that key again.
    const refund = gw.refund;
    gw.refund = async (r) => {
      await refund(r);
      throw new Error('socket hang up');
    };
    await pos.fail('checkout', 'removeTender', { tenderId, approvalToken: await token() });
    gw.refund = refund;
    const voided = await pos.call<CartState>('checkout', 'removeTender', { tenderId, approvalToken: await token() });
    expect(voided.tenders).toEqual([]);
    const keys = gw.refunds.map((r) => r.requestId);
    expect(keys).toHaveLength(3);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe(keys[1]);
    expect(gw.refundsPaid()).toHaveLength(1);
  });
});

describe('a refund to a mobile payment while the terminal is offline', () => {
  it('is refused without writing anything down, and a manager may approve paying it in cash', async () => {
    const sale = await shirtOnWechat();
    pos.close();
    pos = open(() => false);
    await login();
    await returnAll(sale);
    expect(await pos.fail('checkout', 'complete', {})).toEqual({
      code: 'PAYMENT_OFFLINE',
      message: 'Refunds to WeChat Pay, Alipay or UnionPay need the network',
    });
    // The gateway was never asked: no refund is waiting on it, and cash instead is open to a manager.
    expect(intents().filter((i) => i.kind === 'refund')).toEqual([]);
    const back = await complete({ cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    expect(tenders(back)).toEqual([['cash', -10_000]]);
    expect(gw.refunds).toEqual([]);
  });
});

describe('cash instead of a refund the gateway has paid, or may have', () => {
  it('after one of two WeChat refunds went through and the other was refused, cash instead pays only what is still owed', async () => {
    await start();
    const { exchange } = await exchangeChain(() => pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE }));
    await returnAll(exchange);
    // The gateway pays the first refund (¥100 to the first WeChat payment) and refuses the second (¥30).
    const pay = gw.refund;
    let n = 0;
    gw.refund = (r) => (n++ === 0 ? pay(r) : Promise.resolve({ ok: false, reason: 'account frozen' }));
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/account frozen.*cash instead/);
    gw.refund = pay;
    expect(gw.refunds.map((r) => r.amountFen)).toEqual([10_000]);
    // The manager approves what the message offers: cash instead.
    const back = await complete({ cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    // The customer is owed ¥130 in all: ¥100 went back to WeChat Pay, so only ¥30 may be handed over in cash.
    const cash = back.sale.tenders.filter((t) => t.method === 'cash').reduce((a, t) => a - t.amountFen, 0);
    const wechat = gw.refunds.reduce((a, r) => a + r.amountFen, 0);
    expect(wechat + cash).toBe(13_000);
    expect(tenders(back)).toEqual([
      ['wechat', -10_000],
      ['cash', -3_000],
    ]);
    // And the day can close: no refund is left unrecorded.
    expect((await pos.call<CashReport>('cashup', 'zReport', { counted: { cash: 47_000 } })).kind).toBe('z');
  });

  it('a refund whose answer never came cannot be paid again in cash', async () => {
    const sale = await shirtOnWechat();
    await returnAll(sale);
    // The gateway pays the refund but the answer is lost.
    const pay = gw.refund;
    gw.refund = async (r) => {
      await pay(r);
      throw new Error('socket hang up');
    };
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/never paid twice/);
    gw.refund = pay;
    // Paying it in cash now could pay the customer twice: it must be refused until the gateway answers.
    const again = await pos.fail('checkout', 'complete', { cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    expect(again.code).toBe('CONFLICT');
    // Completing again asks the gateway under the same key: paid once, recorded once.
    expect(tenders(await complete())).toEqual([['wechat', -10_000]]);
    expect(new Set(gw.refunds.map((r) => r.requestId)).size).toBe(1);
  });
});

describe('a refund the gateway refused (a definitive no: no money moved)', () => {
  const refundIntents = () =>
    pos.store.db.prepare("SELECT id, state, sale_id FROM payment_intent WHERE kind = 'refund'").all() as {
      id: string;
      state: string;
      sale_id: string | null;
    }[];

  it('is asked again under a new key each time, so the gateway can pay it once the balance is there', async () => {
    const sale = await shirtOnWechat();
    await returnAll(sale);
    // The merchant account's balance is short for a moment: the gateway refuses twice.
    gw.refuseNewRefunds = 2;
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/merchant balance short.*cash instead/);
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/merchant balance short/);
    // The balance is back: completing again pays the customer back to WeChat Pay, once.
    const back = await complete();
    expect(tenders(back)).toEqual([['wechat', -10_000]]);
    expect(gw.refundsPaid()).toHaveLength(1);
    expect(back.sale.tenders[0]!.reference).toBe(gw.refundsPaid()[0]);
    const keys = gw.refunds.map((r) => r.requestId);
    expect(new Set(keys).size).toBe(3);
    // Every attempt went back to the payment the money came from.
    expect(new Set(gw.refunds.map((r) => r.providerRef))).toEqual(new Set([sale.sale.tenders[0]!.reference]));
    // The refusals stay written down as refusals; the paid attempt is the one the sale records.
    const byId = new Map(refundIntents().map((i) => [i.id, i]));
    expect(keys.map((k) => byId.get(k)?.state)).toEqual(['failed', 'failed', 'settled']);
    expect(byId.get(keys[2]!)?.sale_id).toBe(back.sale.saleId);
  });

  it('of two refunds, only the refused one is asked again (under a new key); the paid one is not paid twice', async () => {
    await start();
    const { exchange } = await exchangeChain(() => pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE }));
    await returnAll(exchange);
    // The ¥100 refund is paid; the balance then runs short for the ¥30 one.
    const ask = gw.refund;
    let n = 0;
    gw.refund = (r) => {
      if (n++ === 1) gw.refuseNewRefunds = 1;
      return ask(r);
    };
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/merchant balance short/);
    gw.refund = ask;
    const back = await complete();
    expect(tenders(back)).toEqual([
      ['wechat', -10_000],
      ['wechat', -3_000],
    ]);
    expect(gw.refunds.map((r) => r.amountFen)).toEqual([10_000, 3_000, 3_000]);
    expect(new Set(gw.refunds.map((r) => r.requestId)).size).toBe(3);
    expect(gw.refundsPaid()).toHaveLength(2);
  });

  it('after a refusal, a retry the gateway did not answer keeps its key: never paid in cash, asked again after a restart, paid once', async () => {
    const sale = await shirtOnWechat();
    await returnAll(sale);
    gw.refuseNewRefunds = 1;
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/merchant balance short/);
    // The next attempt reaches the gateway, which pays it, but the answer is lost.
    const ask = gw.refund;
    gw.refund = async (r) => {
      await ask(r);
      throw new Error('socket hang up');
    };
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/never paid twice/);
    gw.refund = ask;
    // It may have been paid: cash now could pay the customer twice.
    const cash = await pos.fail('checkout', 'complete', { cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    expect(cash.code).toBe('CONFLICT');
    // The terminal restarts; the return comes back when the cashier opens it, and completes under the same key.
    pos.close();
    pos = open();
    await login();
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    expect(tenders(await complete())).toEqual([['wechat', -10_000]]);
    const keys = gw.refunds.map((r) => r.requestId);
    expect(keys).toHaveLength(3);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe(keys[1]);
    expect(gw.refundsPaid()).toHaveLength(1);
  });

  it('can still be paid in cash instead with a manager: the gateway is not asked again, and HQ lists it for finance', async () => {
    const sale = await shirtOnWechat();
    await returnAll(sale);
    gw.refuseNewRefunds = 1;
    expect((await pos.fail('checkout', 'complete')).message).toMatch(/cash instead/);
    expect((await pos.fail('checkout', 'complete', { cashInstead: true })).code).toBe('APPROVAL_REQUIRED');
    const back = await complete({ cashInstead: true, approvalToken: (await approve('cash_refund')).token });
    expect(tenders(back)).toEqual([['cash', -10_000]]);
    expect(gw.refunds).toHaveLength(1);
    expect(gw.refundsPaid()).toEqual([]);
    expect(refundIntents().map((i) => i.state)).toEqual(['failed']);
    const event = readOutbox(pos.store.db, 100)
      .filter((e) => e.type === 'sale.completed')
      .at(-1)!;
    const payload = saleCompletedSchema.parse(event.payload);
    expect(payload.tenders).toEqual([expect.objectContaining({ method: 'cash', amountFen: -10_000, insteadOf: 'wechat' })]);
    // HQ's own check of the refund, against the sale's money: a refund exception for finance, the money all accounted for.
    const listed = exceptionsOf(event.id, 'store', payload, sale.sale.saleId, new SalesReader(pos.store.db));
    expect(listed).toEqual([expect.objectContaining({ method: 'cash', insteadOf: 'wechat', amountFen: 10_000, unfundedFen: 0 })]);
  });
});

describe('a cart while a payment waits on the gateway', () => {
  it('Clear while a WeChat charge waits on the gateway is refused: the customer’s payment must not land on an empty cart', async () => {
    await start();
    await scan(SHIRT);
    let answer!: () => void;
    const charge = gw.charge;
    gw.charge = async (r) => {
      await new Promise<void>((resolve) => (answer = resolve));
      return charge(r);
    };
    const paying = pos.call<{ lines: unknown[]; tenders: unknown[] }>('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    await new Promise((r) => setTimeout(r, 20));
    // The second screen (or an impatient tap) clears the cart while the gateway has not answered.
    const cleared = await pos.call<{ lines: unknown[] }>('checkout', 'clear').then(
      () => null,
      (e: Error) => e.message,
    );
    answer();
    await paying;
    const cart = await pos.call<{ lines: unknown[]; tenders: { amountFen: number }[] }>('checkout', 'cart');
    // The shirt and the ¥100 paid for it stay together, and the sale can be completed.
    expect({ lines: cart.lines.length, tenders: cart.tenders.map((t) => t.amountFen) }).toEqual({ lines: 1, tenders: [10_000] });
    expect(cleared).toMatch(/CONFLICT/);
    expect((await complete()).sale.kind).toBe('sale');
  });
});

describe('a lost charge the gateway could not cancel at once', () => {
  it('is cancelled once the gateway answers again, without waiting for the terminal to restart', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      // As the terminal does at start: nothing is left over, so no retry is scheduled.
      pos.services.recovery.start();
      await start();
      await scan(SHIRT);
      // The charge goes through but its answer is lost, and the gateway cannot be reached to cancel it.
      gw.dropNextCharge = true;
      const reverse = gw.reverse;
      gw.reverse = () => Promise.reject(new Error('connect ETIMEDOUT'));
      const failed = await pos.fail('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      expect(failed.message).toMatch(/will be cancelled as soon as it answers/);
      gw.reverse = reverse;
      // The customer pays cash and leaves; the gateway answers again a minute later.
      await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
      await complete();
      for (let i = 0; i < 4; i++) {
        await vi.advanceTimersByTimeAsync(30_000);
        await new Promise((r) => setImmediate(r));
      }
      // The ¥100 the gateway took is given back.
      expect(gw.reversals).toEqual([gw.charges[0]]);
      expect(intents()).toEqual([{ kind: 'charge', state: 'reversed', amount_fen: 10_000 }]);
    } finally {
      pos.services.recovery.stop();
      vi.useRealTimers();
    }
  });

  it('is retried even when recovery was already busy with an older charge the moment it was lost', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      // A charge left over from before a restart: recovery's pass at start waits on the gateway to cancel it.
      await start();
      await scan(SHIRT);
      await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      pos.close();
      pos = open();
      const reverse = gw.reverse;
      let answerOld: () => void = () => undefined;
      gw.reverse = (r) => {
        gw.reversals.push(r.requestId);
        return new Promise((ok) => (answerOld = () => ok({ ok: true })));
      };
      pos.services.recovery.start();
      await new Promise((r) => setImmediate(r));
      expect(gw.reversals).toHaveLength(1);
      // Meanwhile a new charge's answer is lost, and the gateway cannot be reached to cancel it.
      await login();
      await scan(SHIRT);
      gw.dropNextCharge = true;
      gw.reverse = (r) => {
        gw.reversals.push(r.requestId);
        return Promise.reject(new Error('connect ETIMEDOUT'));
      };
      const failed = await pos.fail('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      expect(failed.message).toMatch(/will be cancelled as soon as it answers/);
      // The gateway answers again: the old charge is cancelled, and so must the new one be.
      gw.reverse = reverse;
      answerOld();
      for (let i = 0; i < 4; i++) {
        await vi.advanceTimersByTimeAsync(30_000);
        await new Promise((r) => setImmediate(r));
      }
      expect(intents().map((i) => i.state)).toEqual(['reversed', 'reversed']);
    } finally {
      pos.services.recovery.stop();
      vi.useRealTimers();
    }
  });

  it('stops with the terminal: a pass the gateway answers after the store closed writes nothing and throws nothing', async () => {
    // Two charges left over from before a restart; recovery's pass waits on the gateway for the first.
    await start();
    for (let i = 0; i < 2; i++) {
      await scan(SHIRT);
      await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      pos.close();
      pos = open();
      await login();
    }
    const reverse = gw.reverse;
    let answer: () => void = () => undefined;
    gw.reverse = (r) => {
      gw.reversals.push(r.requestId);
      return new Promise((ok) => (answer = () => ok({ ok: true })));
    };
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      pos.services.recovery.start();
      await new Promise((r) => setImmediate(r));
      expect(gw.reversals).toHaveLength(1);
      // The terminal closes (recovery stopped, the store closed), then the gateway answers.
      pos.close();
      answer();
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      // Nothing more was asked of the gateway, and nothing failed on the closed store.
      expect(gw.reversals).toHaveLength(1);
      expect(failures).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      gw.reverse = reverse;
      pos = open();
    }
  });
});

describe('the price a customer paid is the price recorded', () => {
  it('a promotion that starts between the cash payment and Complete does not leave the sale overpaid (HQ would refuse it)', async () => {
    // A flash sale from 14:00 store time (06:00 UTC): 20% off everything.
    pos.store.db
      .prepare(
        `INSERT INTO promotion (id, kind, name_zh, name_en, scope, percent_bp, valid_from, valid_until)
         VALUES ('flash', 'percent_off', '限时8折', 'Flash 20% off', '{"kind":"all"}', 2000, '2026-11-22T06:00:00.000Z', '2026-11-22T08:00:00.000Z')`,
      )
      .run();
    await start();
    await scan(SHIRT);
    // 13:59:30: the customer hands over ¥100 for the ¥100 shirt.
    now = Date.UTC(2026, 10, 22, 5, 59, 30);
    const paid = await pos.call<{ totals: { dueFen: number; paidFen: number } }>('checkout', 'addTender', {
      method: 'cash',
      givenFen: 10_000,
    });
    expect(paid.totals).toMatchObject({ dueFen: 0, paidFen: 10_000 });
    // 14:01: the cashier taps Complete (the receipt printer was reloaded, the bag packed).
    now = Date.UTC(2026, 10, 22, 6, 1, 0);
    const r = await pos.call<SaleResult>('checkout', 'complete', {});
    // Whatever the price, the sale's tenders add up to its net: what HQ checks before it records a sale.
    const paidIn = r.sale.tenders.reduce((a, t) => a + t.amountFen, 0);
    expect(paidIn).toBe(r.sale.totals.netFen);
    const event = readOutbox(pos.store.db, 100)
      .filter((e) => e.type === 'sale.completed')
      .at(-1)!;
    expect(saleProblem(saleCompletedSchema.parse(event.payload))).toBeNull();
  });
});

describe('a return with a receipt and items without one, in one cart', () => {
  it('refunds the receipt’s items to its payments and the others in cash, and a later return of the receipt still finds its card', async () => {
    await start();
    await scan(SHIRT);
    await scan(COAT);
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 13_000, reference: 'CARD-1' });
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
    await login(MANAGER);
    // The customer brings back the shirt with the receipt, and a coat bought elsewhere (no receipt).
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 1 });
    await pos.call('returns', 'noReceipt', { sku: COAT.sku, qty: 1, approvalToken: (await approve('no_receipt_return')).token });
    const cart = await pos.call<CartState>('checkout', 'cart');
    expect(cart.refunds).toEqual([
      { method: 'card', amountFen: 10_000 },
      { method: 'cash', amountFen: 13_000 },
    ]);
    const first = await complete();
    expect(tenders(first)).toEqual([
      ['card', -10_000],
      ['cash', -13_000],
    ]);
    // The receipt's coat comes back later: what is left of the card (¥30) and the WeChat Pay (¥100) pays it.
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[1]!.saleLineId, qty: 1 });
    const second = await complete();
    expect(tenders(second)).toEqual([
      ['wechat', -10_000],
      ['card', -3_000],
    ]);
  });
});

describe('an exchange paid partly with an item returned without a receipt', () => {
  it('its new items, returned later, go back to the card the receipt’s line paid, and the no-receipt part in cash', async () => {
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 10_000, reference: 'CARD-1' });
    const sale = await complete();
    await login(MANAGER);
    // The shirt with its receipt (¥100) and a coat bought elsewhere (¥130) pay for two coats (¥260): ¥30 more by card.
    await pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
    await pos.call('returns', 'setQty', { saleLineId: sale.sale.lines[0]!.saleLineId, qty: 1 });
    await pos.call('returns', 'noReceipt', { sku: COAT.sku, qty: 1, approvalToken: (await approve('no_receipt_return')).token });
    await scan(COAT);
    await scan(COAT);
    await pos.call('checkout', 'addTender', { method: 'card', amountFen: 3_000, reference: 'CARD-2' });
    const exchange = await complete();
    expect(exchange.sale.kind).toBe('exchange');
    await returnAll(exchange);
    const back = await complete();
    expect(tenders(back)).toEqual([
      ['card', -10_000],
      ['card', -3_000],
      ['cash', -13_000],
    ]);
  });
});
