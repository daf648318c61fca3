import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval, CashReport, SaleResult, SessionState } from '../api/contract.js';
import { sandboxPaymentProvider } from './payments.js';
import type { PaymentProvider } from './payments.js';
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
let now = Date.UTC(2026, 10, 22, 5, 59, 0);
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

describe('review: the price a customer paid is the price recorded', () => {
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
    const paid = await pos.call<{ totals: { dueFen: number; paidFen: number } }>('checkout', 'addTender', { method: 'cash', givenFen: 10_000 });
    expect(paid.totals).toMatchObject({ dueFen: 0, paidFen: 10_000 });
    // 14:01: the cashier taps Complete (the receipt printer was reloaded, the bag packed).
    now = Date.UTC(2026, 10, 22, 6, 1, 0);
    const r = await pos.call<SaleResult>('checkout', 'complete', {});
    // Whatever the price, the sale's tenders add up to its net: what HQ checks before it records a sale.
    const paidIn = r.sale.tenders.reduce((a, t) => a + t.amountFen, 0);
    expect(paidIn).toBe(r.sale.totals.netFen);
    const event = readOutbox(pos.store.db, 100).filter((e) => e.type === 'sale.completed').at(-1)!;
    expect(saleProblem(saleCompletedSchema.parse(event.payload))).toBeNull();
  });
});
