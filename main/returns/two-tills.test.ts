import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartState, SaleResult } from '../api/contract.js';
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
const till = async () => {
  const t = openTestCheckout({ dbPath: join(dir.path, 'shopfloor.db'), keyPath: join(dir.path, 'store.key'), online: () => false });
  tills.push(t);
  await t.call('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
  if (!t.services.tills.open()) await t.call('cashup', 'open', { floatFen: 50_000 });
  return t;
};
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
  dir.cleanup();
});

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
