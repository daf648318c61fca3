/**
 * Refunds follow the money back, and finance at HQ sees the ones that did not: a till sells by
 * card, and pays one return back to the card and another in cash instead (a manager approved).
 * HQ keeps the method the cash stood for on the refund's tender and lists that refund, and only
 * that one, for finance (GET /admin/v1/refund-exceptions).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Approval, CartState, SaleResult } from '../../main/api/contract.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { testBackends } from '../hq/testing/backends.js';
import { TEST_STORE, openTestHqDb, startTestHq } from '../hq/testing/test-hq.js';
import { deviceReplicator, emptyDevice, enrolThrough, openTill, sellableEans, settled, syncUntil } from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import type { Replicator } from '../client/types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const MANAGER = 'S001-01';

/** One item sold and paid in full by card. */
async function cardSale(till: FaultDevice, ean: string, reference: string): Promise<SaleResult> {
  await till.pos.call('checkout', 'scan', { code: ean });
  const due = (await till.pos.call<CartState>('checkout', 'cart')).totals.dueFen;
  await till.pos.call('checkout', 'addTender', { method: 'card', amountFen: due, reference });
  return till.pos.call<SaleResult>('checkout', 'complete');
}

/** The whole sale back, completed with `input` (the refund goes where the till plans it, or in cash instead). */
async function returned(till: FaultDevice, sale: SaleResult, input: object = {}): Promise<SaleResult> {
  await till.pos.call('returns', 'start', { receiptNo: sale.sale.receiptNo });
  for (const l of sale.sale.lines) await till.pos.call('returns', 'setQty', { saleLineId: l.saleLineId, qty: l.qty });
  return till.pos.call<SaleResult>('checkout', 'complete', input);
}

describe.each(backends)('refunds that did not follow the money, listed at HQ, on $name', (backend) => {
  it('a card sale paid back in cash with a manager’s approval is listed for finance; one paid back to the card is not', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 30, customers: 10 });
    const hq = await startTestHq(db);
    const till = emptyDevice();
    let replicator: Replicator | undefined;
    try {
      await enrolThrough(till, hq.url, await hq.enrolment());
      replicator = deviceReplicator(till, hq.url);
      await syncUntil(replicator, settled, 5, 'provisioned');
      await openTill(till);
      const [first, second] = sellableEans(till);
      const toCard = await cardSale(till, first!, 'CARD-1');
      const inCash = await cardSale(till, second!, 'CARD-2');
      const backToCard = await returned(till, toCard);
      expect(backToCard.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['card', -toCard.sale.totals.totalFen]]);
      const { token } = await till.pos.call<Approval>('staff', 'approve', {
        managerCode: MANAGER,
        pin: demoPin(MANAGER),
        action: 'cash_refund',
      });
      const cashBack = await returned(till, inCash, { cashInstead: true, approvalToken: token });
      expect(cashBack.sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['cash', -inCash.sale.totals.totalFen]]);

      await syncUntil(replicator, settled, 5, 'pushed');
      await hq.projector.settled();
      expect(
        await db.query(
          `SELECT method, amount_fen::int AS amount, instead_of FROM sale_tender WHERE sale_id = ANY($1::text[]) ORDER BY sale_id`,
          [[backToCard.sale.saleId, cashBack.sale.saleId]],
        ),
      ).toEqual(
        expect.arrayContaining([
          { method: 'card', amount: -toCard.sale.totals.totalFen, instead_of: null },
          { method: 'cash', amount: -inCash.sale.totals.totalFen, instead_of: 'card' },
        ]),
      );
      const listed = await hq.admin('GET', `/admin/v1/refund-exceptions?storeId=${TEST_STORE}`);
      expect(listed.status).toBe(200);
      expect((listed.body as { refunds: unknown[] }).refunds).toEqual([
        expect.objectContaining({
          receiptNo: cashBack.sale.receiptNo,
          originalReceiptNo: inCash.sale.receiptNo,
          method: 'cash',
          insteadOf: 'card',
          amountFen: inCash.sale.totals.totalFen,
          unfundedFen: 0,
        }),
      ]);
      expect((listed.body as { truncated: boolean }).truncated).toBe(false);
      // By the return's business day: none after it.
      const later = await hq.admin('GET', `/admin/v1/refund-exceptions?from=2999-01-01`);
      expect(later.body).toEqual({ truncated: false, refunds: [] });
      // Finance's list is an admin's: no token, no list; a malformed filter is refused, not ignored.
      expect((await hq.admin('GET', '/admin/v1/refund-exceptions', undefined, { token: null })).status).toBe(401);
      expect((await hq.admin('GET', '/admin/v1/refund-exceptions?from=yesterday')).status).toBe(400);
      // Finance resolves it once it has dealt with it: it leaves the open list and keeps who, when and how.
      const [{ id }] = (listed.body as { refunds: [{ id: string }] }).refunds;
      const resolution = 'card was cancelled; receipt signed by the customer';
      const resolved = await hq.admin('POST', `/admin/v1/refund-exceptions/${id}/resolve`, { resolution });
      expect(resolved).toEqual({
        status: 200,
        body: { id, resolvedAt: expect.any(String), resolvedBy: 'admin', resolution },
      });
      expect(await hq.admin('GET', `/admin/v1/refund-exceptions?open=true`)).toEqual({
        status: 200,
        body: { truncated: false, refunds: [] },
      });
      const all = await hq.admin('GET', `/admin/v1/refund-exceptions?open=false`);
      expect((all.body as { refunds: unknown[] }).refunds).toEqual([
        expect.objectContaining({ id, receiptNo: cashBack.sale.receiptNo, resolvedBy: 'admin', resolution }),
      ]);
      // The filters filter: another store's, and days before the return's, list none.
      const none = { status: 200, body: { truncated: false, refunds: [] } };
      expect(await hq.admin('GET', `/admin/v1/refund-exceptions?storeId=loc-S999`)).toEqual(none);
      expect(await hq.admin('GET', `/admin/v1/refund-exceptions?to=2000-01-01`)).toEqual(none);
      // A page holds 1,000 and says when there were more: narrow the days or the store.
      const copies = (n: number) =>
        db.query(
          `INSERT INTO refund_exception (event_id, n, sale_id, store_id, business_day, original_sale_id, method, instead_of, amount_fen, unfunded_fen, detail)
           SELECT gen_random_uuid(), 1, sale_id, store_id, business_day, original_sale_id, method, instead_of, amount_fen, 0, 'bulk'
             FROM refund_exception, generate_series(1, $1) WHERE id = $2`,
          [n, id],
        );
      const page = async () => (await hq.admin('GET', `/admin/v1/refund-exceptions`)).body as { truncated: boolean; refunds: unknown[] };
      await copies(999);
      expect(await page()).toMatchObject({ truncated: false, refunds: { length: 1000 } });
      await copies(1);
      expect(await page()).toMatchObject({ truncated: true, refunds: { length: 1000 } });
    } finally {
      await replicator?.close();
      till.cleanup();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  });
});
