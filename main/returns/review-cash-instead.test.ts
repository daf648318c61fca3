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

describe('review: cash instead of a refund the gateway has already paid', () => {
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
    await start();
    await scan(SHIRT);
    await pos.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    const sale = await complete();
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
