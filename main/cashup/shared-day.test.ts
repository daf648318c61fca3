import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CashReport, SaleResult } from '../api/contract.js';
import type { RedemptionHolds } from '../checkout/redemptions.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import type { HoldAnswer } from '../../sync/protocol/holds.js';

// Two tills on one store file share the till's day: the Z report one of them runs closes it for
// both, and must not close it under a sale the other is completing.

const data = sampleData();
const SKU = data.skus.find((s) => s.active)!;
const member = data.customers.find((c) => c.store_id === 'loc-S001')!;
const CASHIER = 'S001-02';
const MANAGER = 'S001-01';

let dir: ReturnType<typeof tempDir>;
const tills: TestCheckout[] = [];
/** HQ's answer to a hold, held back until the test lets it go. */
let answer: (() => void) | null = null;
const holds: RedemptionHolds = {
  hold: () =>
    new Promise<HoldAnswer>((resolve) => {
      answer = () => resolve({ held: true, expiresAt: null, refused: [], pointsAvailable: null, serverTime: new Date().toISOString() });
    }),
};
const till = async () => {
  const t = openTestCheckout({ dbPath: join(dir.path, 'shopfloor.db'), keyPath: join(dir.path, 'store.key'), online: () => true, holds });
  tills.push(t);
  return t;
};
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
  dir.cleanup();
});

describe('a Z report on one till while another completes a sale', () => {
  it('the sale is not written into the day the Z report closed', async () => {
    const first = await till();
    first.store.db.prepare('UPDATE sku SET price_fen = 10000 WHERE sku = ?').run(SKU.sku);
    first.store.db.exec('DELETE FROM promotion');
    first.store.db.prepare('UPDATE customer SET points = 10000 WHERE id = ?').run(member.id);
    await first.call('staff', 'login', { code: MANAGER, pin: demoPin(MANAGER) });
    await first.call('cashup', 'open', { floatFen: 50_000 });
    const second = await till();
    await second.call('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
    // Paid with points only: the commit asks HQ to hold them, and waits.
    await second.call('checkout', 'scan', { code: SKU.ean });
    await second.call('checkout', 'scan', { code: memberCodeOf(member.id) });
    await second.call('checkout', 'redeemPoints', { points: 10_000 });
    const completing = second.call<SaleResult>('checkout', 'complete').then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    // The commit is waiting on HQ's hold.
    await vi.waitFor(() => expect(answer).not.toBeNull());
    const z = await first.call<CashReport>('cashup', 'zReport', { counted: { cash: 50_000 } });
    expect(z.salesCount).toBe(0);
    answer!();
    const refused = await completing;
    expect(refused.ok).toBe(false);
    expect(String(refused.ok ? '' : refused.e)).toContain('TILL_NOT_OPEN');
    // Whatever the second till did, no sale sits in a day its Z report has already counted.
    const late = first.store.db
      .prepare('SELECT count(*) FROM sale s JOIN till_session t ON t.id = s.session_id WHERE t.closed_at IS NOT NULL')
      .pluck()
      .get();
    expect(late).toBe(0);
    // The cart is kept: the next day is opened and the sale completed in it.
    await second.call('cashup', 'open', { floatFen: 50_000 });
    const { sale } = await second.call<SaleResult>('checkout', 'complete');
    expect(sale.points?.redeemed).toBe(10_000);
    expect(second.services.tills.open()?.id).toBeDefined();
    expect(
      first.store.db
        .prepare('SELECT t.closed_at FROM sale s JOIN till_session t ON t.id = s.session_id WHERE s.id = ?')
        .pluck()
        .get(sale.saleId),
    ).toBeNull();
  });
});
