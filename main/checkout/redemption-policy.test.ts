import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartState, SaleResult } from '../api/contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';

/**
 * Offline, the store's policy decides what a till may redeem (issue "Money and sync correctness",
 * item 1): refuse, or up to a limit per member per day. A till HQ never sent a policy (the
 * standalone demo) redeems as before.
 */
const data = sampleData();
const member = data.customers.find((c) => c.store_id === 'loc-S001')!;
const memberCode = memberCodeOf(member.id);
const item = data.skus.find((s) => s.active && s.price_fen >= 50_000)!;

let dir: ReturnType<typeof tempDir>;
let pos: TestCheckout;
beforeEach(async () => {
  dir = tempDir();
  pos = openTestCheckout({ dbPath: join(dir.path, 'shopfloor.db'), keyPath: join(dir.path, 'store.key') });
  pos.store.db.prepare('UPDATE customer SET points = 100000 WHERE id = ?').run(member.id);
  await pos.call('staff', 'login', { code: 'S001-02', pin: demoPin('S001-02') });
  await pos.call('cashup', 'open', { floatFen: 10_000 });
});
afterEach(() => {
  pos.close();
  dir.cleanup();
});

const policy = (redeem: 'refuse' | 'limit', pointsPerDay: number, couponsPerDay: number) =>
  pos.store.db.prepare('INSERT OR REPLACE INTO store_policy VALUES (?, ?, ?, ?)').run('loc-S001', redeem, pointsPerDay, couponsPerDay);

/** A cart for the member redeeming `points`; answers what is due. */
async function redeem(points: number): Promise<number> {
  await pos.call('checkout', 'scan', { code: item.ean });
  await pos.call('checkout', 'identifyMember', { code: memberCode });
  await pos.call('checkout', 'redeemPoints', { points });
  return (await pos.call<CartState>('checkout', 'cart')).totals.dueFen;
}
const pay = (due: number) => pos.call<CartState>('checkout', 'addTender', { method: 'cash', givenFen: due });
const refusedPaying = (due: number) => pos.fail('checkout', 'addTender', { method: 'cash', givenFen: due });

describe('offline redemption policy', () => {
  it('redeems as before where HQ never sent a policy', async () => {
    expect((await pay(await redeem(2000))).tenders).toHaveLength(1);
  });

  it('refuses points offline where the store says so, before any money moves', async () => {
    policy('refuse', 0, 0);
    const refused = await refusedPaying(await redeem(2000));
    expect(refused.code).toBe('POINTS_INSUFFICIENT');
    expect(refused.message).toContain('while HQ cannot be reached');
    expect((await pos.call<CartState>('checkout', 'cart')).tenders).toEqual([]);
  });

  it('allows a member up to the day’s limit offline, counting the day’s earlier sales', async () => {
    policy('limit', 3000, 2);
    await pay(await redeem(2000));
    const sold = await pos.call<SaleResult>('checkout', 'complete');
    expect(sold.sale.points).toMatchObject({ redeemed: 2000, offline: true });
    const over = await refusedPaying(await redeem(1500));
    expect(over.code).toBe('POINTS_INSUFFICIENT');
    expect(over.message).toContain('3000 points a day');
    await pos.call('checkout', 'redeemPoints', { points: 1000 });
    const due = (await pos.call<CartState>('checkout', 'cart')).totals.dueFen;
    expect((await pay(due)).tenders).toHaveLength(1);
  });
});
