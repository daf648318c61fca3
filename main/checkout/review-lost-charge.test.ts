import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

describe('review: a lost charge the gateway could not cancel at once', () => {
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
});
