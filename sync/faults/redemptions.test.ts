/**
 * Coupons and points are settled at HQ (issue "Money and sync correctness", item 1). Two tills of
 * one store spend the same member coupon and 1,000 of a 1,500-point balance while HQ cannot be
 * reached: both sales stand; HQ redeems once, lists one conflict with the amount at risk, keeps
 * the right balance, and both tills then show HQ's figures. Online, HQ holds the coupon for the
 * first till and refuses the second at once, saying where it went.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CartState, MemberView, SaleResult } from '../../main/api/contract.js';
import { openTestCheckout } from '../../main/testing/test-checkout.js';
import { redemptionHolds } from '../../main/sync/redemption-holds.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { HqDb } from '../hq/db.js';
import { deviceReplicator, emptyDevice, enrolThrough, openTill, settled, syncUntil } from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import { expectHqMatchesDevices, hqBaseline } from './invariants.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const COUPON = 'CPN-RACE-3000';

/** A member of the store with a member code, 1,500 points and a ¥30 coupon of their own, at HQ. */
async function memberWithCoupon(db: HqDb): Promise<{ id: string; code: string }> {
  const [m] = await db.query<{ id: string; code: string }>(
    `SELECT c.id, m.code FROM customer c JOIN member_code m ON m.customer_id = c.id WHERE c.store_id = $1 ORDER BY c.id LIMIT 1`,
    [TEST_STORE],
  );
  await db.query('UPDATE customer SET points = 1500 WHERE id = $1', [m!.id]);
  await db.query(
    `INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, valid_from, valid_until)
     SELECT $1, brand, $2, 'amount', '无门槛30元券', '¥30 off', 3000, now() - interval '1 day', now() + interval '30 days' FROM location WHERE id = $3`,
    [COUPON, m!.id, TEST_STORE],
  );
  return m!;
}

/** Sells the first sellable item to the member with the coupon and 1,000 points, paid in cash. */
async function sellWithRedemptions(device: FaultDevice, memberCode: string): Promise<SaleResult> {
  const due = await prepareCart(device, memberCode);
  await device.pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
  return device.pos.call<SaleResult>('checkout', 'complete');
}

async function memberSeenBy(device: FaultDevice, memberCode: string): Promise<MemberView> {
  const cart = await device.pos.call<CartState>('checkout', 'identifyMember', { code: memberCode });
  await device.pos.call('checkout', 'removeMember');
  return cart.member!;
}

describe.each(backends)('coupons and points settled at HQ, on $name', (backend) => {
  it('two offline tills spend the same coupon and points: both sales stand, HQ redeems once and lists one conflict', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 30, customers: 10 });
    const hq = await startTestHq(db);
    const member = await memberWithCoupon(db);
    const baseline = await hqBaseline(db);
    const tills = [emptyDevice(), emptyDevice()];
    const replicators = [];
    try {
      for (const till of tills) {
        await enrolThrough(till, hq.url, await hq.enrolment());
        const r = deviceReplicator(till, hq.url);
        replicators.push(r);
        await syncUntil(r, settled, 5, 'provisioned');
        await openTill(till);
      }
      // HQ is unreachable from here on: the tills sell offline (their store's default policy allows it).
      const sales = [];
      for (const till of tills) sales.push(await sellWithRedemptions(till, member.code));
      for (const { sale } of sales)
        expect(sale).toMatchObject({ points: { redeemed: 1000, offline: true }, coupons: [{ code: COUPON, offline: true }] });
      // Each till counts its own spend until HQ settles it: 1,500 − 1,000 + what the sale earned.
      for (const [i, till] of tills.entries())
        expect((await memberSeenBy(till, member.code)).points).toBe(500 + sales[i]!.sale.points!.earned);

      // Back online: A's sale reaches HQ first and is redeemed; B's is recorded with a conflict.
      for (const r of replicators) await syncUntil(r, settled, 5, 'pushed');
      // HQ answered once the sales were recorded; its projector settles them in HQ's receive order.
      await hq.projector.settled();
      for (const r of replicators) await syncUntil(r, settled, 5, 'pulled the settlement');
      const earned = sales.reduce((n, s) => n + s.sale.points!.earned, 0);
      const [hqMember] = await db.query<{ points: number }>('SELECT points FROM customer WHERE id = $1', [member.id]);
      expect(hqMember!.points).toBe(500 + earned);
      expect(await db.query(`SELECT kind, points FROM points_entry WHERE customer_id = $1 AND kind = 'burn'`, [member.id])).toEqual([
        { kind: 'burn', points: -1000 },
      ]);
      const conflicts = await db.query<{ sale_id: string; coupons: string[]; points: number; at_risk_fen: string }>(
        'SELECT sale_id, coupons, points, at_risk_fen::text AS at_risk_fen FROM settlement_conflict',
      );
      expect(conflicts).toEqual([{ sale_id: sales[1]!.sale.saleId, coupons: [COUPON], points: 1000, at_risk_fen: String(3000 + 1000) }]);
      expect(await db.query(`SELECT hq_status, redeemed_sale_id FROM coupon WHERE code = $1`, [COUPON])).toEqual([
        { hq_status: 'used', redeemed_sale_id: sales[0]!.sale.saleId },
      ]);
      expect(await db.query(`SELECT count(*)::int AS n FROM sale WHERE id = ANY($1::text[])`, [sales.map((s) => s.sale.saleId)])).toEqual([
        { n: 2 },
      ]);
      // The same, from what the tills' own sales say: one redeemed the coupon, the other is the conflict; stock moved once per unit.
      await expectHqMatchesDevices(
        db,
        baseline,
        tills.map((t) => t.pos.store.db),
      );
      const listed = await hq.admin('GET', '/admin/v1/settlement-conflicts');
      expect((listed.body as { conflicts: { receiptNo: string; atRiskFen: number }[] }).conflicts).toEqual([
        expect.objectContaining({ receiptNo: sales[1]!.sale.receiptNo, atRiskFen: 4000 }),
      ]);

      // Both tills now show HQ's figures: its balance, and the coupon used.
      for (const till of tills) {
        const seen = await memberSeenBy(till, member.code);
        expect(seen.points).toBe(500 + earned);
        expect(seen.coupons.find((c) => c.code === COUPON)?.status).toBe('used');
      }
    } finally {
      for (const r of replicators) await r.close();
      for (const till of tills) till.cleanup();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  });

  it('online, HQ holds the coupon for the first till, refuses the second at once saying where it is, and lets go when the first clears', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 30, customers: 10 });
    const hq = await startTestHq(db);
    const member = await memberWithCoupon(db);
    const baseline = await hqBaseline(db);
    const tills = [emptyDevice(), emptyDevice()];
    try {
      for (const till of tills) {
        await enrolThrough(till, hq.url, await hq.enrolment());
        const r = deviceReplicator(till, hq.url);
        await syncUntil(r, settled, 5, 'provisioned');
        await r.close();
        // Reopened online, asking HQ for holds.
        const holds = redemptionHolds(till.pos.store.db, { clock: () => new Date(), log: () => undefined }) ?? undefined;
        till.pos.close();
        till.pos = openTestCheckout({ dbPath: till.dbPath, keyPath: till.keyPath, sample: false, online: () => true, holds });
        await openTill(till);
      }
      const [a, b] = tills as [FaultDevice, FaultDevice];
      // A takes the first payment: HQ now holds the coupon and A's 1,000 points for A's cart.
      const first = await prepareCart(a, member.code);
      await a.pos.call('checkout', 'addTender', { method: 'cash', givenFen: first });
      // B tries the same coupon: refused before any money moves, with the reason.
      const second = await prepareCart(b, member.code);
      const refused = await b.pos.fail('checkout', 'addTender', { method: 'cash', givenFen: second });
      expect(refused.code).toBe('COUPON_USED');
      expect(refused.message).toContain('another till');
      expect((await b.pos.call<CartState>('checkout', 'cart')).tenders).toEqual([]);
      // A's customer changes their mind: A clears the cart, and HQ lets the coupon go at once, not in five minutes.
      await a.pos.call('checkout', 'clear');
      await expect
        .poll(
          async () =>
            (await b.pos.call<CartState>('checkout', 'addTender', { method: 'cash', givenFen: second }).catch(() => null))?.tenders,
          {
            timeout: 5_000,
          },
        )
        .toHaveLength(1);
      // B completes online: the sale is not an offline one, and HQ's hold became the redemption.
      const { sale } = await b.pos.call<SaleResult>('checkout', 'complete');
      expect(sale.coupons).toEqual([{ code: COUPON, discountFen: 3000, offline: false }]);
      // Pushed, HQ's coupon, points and stock are what B's sale says (A sold nothing).
      const r = deviceReplicator(b, hq.url);
      try {
        await syncUntil(r, settled, 5, 'pushed');
      } finally {
        await r.close();
      }
      await expectHqMatchesDevices(
        db,
        baseline,
        tills.map((t) => t.pos.store.db),
      );
    } finally {
      for (const till of tills) till.cleanup();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  });
});

/** Puts an item, the member, the coupon and 1,000 points in the cart; answers what is due. */
async function prepareCart(device: FaultDevice, memberCode: string): Promise<number> {
  const pos = device.pos;
  const [sku] = pos.store.db.prepare('SELECT ean FROM sku WHERE active = 1 AND price_fen >= 20000 ORDER BY sku LIMIT 1').all() as {
    ean: string;
  }[];
  await pos.call('checkout', 'scan', { code: sku!.ean });
  await pos.call('checkout', 'identifyMember', { code: memberCode });
  await pos.call('checkout', 'applyCoupon', { code: COUPON });
  await pos.call('checkout', 'redeemPoints', { points: 1000 });
  return (await pos.call<CartState>('checkout', 'cart')).totals.dueFen;
}
