import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted, SaleTender } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { testBackends } from '../testing/backends.js';
import { deviceOf, outcome, returnOf, saleEvent } from '../testing/push-fixture.js';
import { useSeededHq } from '../testing/use-test-hq.js';
import { projectAll } from './project-batch.js';

// HQ checks each refund against the money of the sale it takes back, with the till's rule
// (sync/protocol/refund-sources.ts), and lists for finance the refunds that did not go back the
// way the money came. The refunds stand either way: they happened.

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');
const request = (events: OutboxEvent[]): PushRequest => ({ deviceId: S1.id, storeId: 'S1', events });
const payloadOf = (e: OutboxEvent) => e.payload as SaleCompleted;
const tender = (method: string, amountFen: number, more: Partial<SaleTender> = {}): SaleTender => ({
  method,
  amountFen,
  reference: null,
  providerRef: null,
  ...more,
});

/** A sale of `qty` units of fixture SKU 1 at 199 yuan, paid with `tenders`. */
function paidWith(qty: number, ...tenders: SaleTender[]): OutboxEvent {
  const sold = saleEvent('S1', [1], { qty });
  payloadOf(sold).tenders = tenders;
  return sold;
}

/** A return of `qty` units of `original`'s first line, refunded with `refunds` (negative tenders). */
function refunded(original: OutboxEvent, qty: number, ...refunds: SaleTender[]): OutboxEvent {
  const back = returnOf(original, qty);
  payloadOf(back).tenders = refunds;
  return back;
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('refunds checked against the money at HQ, on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));

  async function pushAndProject(...events: OutboxEvent[]): Promise<void> {
    expect(outcome(await recordPush(db, S1, request(events), NOW))).toEqual(events.map(() => 'accepted'));
    await projectAll(db, NOW);
    // Every event projected: a refund check that failed would send its event to IT's dead letters.
    expect(await db.query('SELECT count(*)::int AS n FROM dead_letter')).toEqual([{ n: 0 }]);
  }
  const originals = () => db.query<{ original: string | null }>('SELECT original_sale_id AS original FROM refund_exception ORDER BY id');
  const exceptions = () =>
    db.query<{ sale_id: string; n: number; method: string; instead_of: string | null; amount: number; unfunded: number; detail: string }>(
      `SELECT sale_id, n, method, instead_of, amount_fen::int AS amount, unfunded_fen::int AS unfunded, detail FROM refund_exception ORDER BY id`,
    );

  it('keeps a card refund paid in cash (a manager approved) with the method it stood for, and lists it for finance', async () => {
    const sold = paidWith(2, tender('card', 39_800, { reference: 'C-1' }));
    const back = refunded(sold, 1, tender('cash', -19_900, { insteadOf: 'card' }));
    await pushAndProject(sold, back);
    expect(
      await db.query(`SELECT n, method, amount_fen::int AS amount, instead_of FROM sale_tender WHERE sale_id = $1`, [
        payloadOf(back).saleId,
      ]),
    ).toEqual([{ n: 1, method: 'cash', amount: -19_900, instead_of: 'card' }]);
    expect(await exceptions()).toEqual([
      {
        sale_id: payloadOf(back).saleId,
        n: 1,
        method: 'cash',
        instead_of: 'card',
        amount: 19_900,
        unfunded: 0,
        detail: `${payloadOf(back).receiptNo}: ￥199.00 paid back by cash instead of card (approved on the till)`,
      },
    ]);
  });

  it('says both when a cash refund instead of the card took more than the card had: approved, and beyond the sale’s card money', async () => {
    const sold = paidWith(1, tender('cash', 19_900));
    const back = refunded(sold, 1, tender('cash', -19_900, { insteadOf: 'card' }));
    await pushAndProject(sold, back);
    expect((await exceptions()).map((e) => [e.instead_of, e.unfunded, e.detail])).toEqual([
      [
        'card',
        19_900,
        `${payloadOf(back).receiptNo}: ￥199.00 paid back by cash instead of card (approved on the till); ￥199.00 back to card, the sale's card money had ￥0.00 left`,
      ],
    ]);
    expect(await originals()).toEqual([{ original: payloadOf(sold).saleId }]);
  });

  it('lists nothing for refunds that went back the way they came, across two payments and two returns', async () => {
    const sold = paidWith(3, tender('card', 40_000, { reference: 'C-1' }), tender('cash', 19_700));
    // Refund order: the card first, then cash.
    const first = refunded(sold, 1, tender('card', -19_900, { reference: 'C-1' }));
    const second = refunded(sold, 2, tender('card', -20_100, { reference: 'C-1' }), tender('cash', -19_700));
    await pushAndProject(sold, first, second);
    expect(await exceptions()).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM sale_tender WHERE instead_of IS NOT NULL`)).toEqual([{ n: 0 }]);
  });

  it('lists a refund to a method the sale was not paid with, and one beyond what earlier returns left of the card', async () => {
    const sold = paidWith(3, tender('card', 39_800, { reference: 'C-1' }), tender('cash', 19_900));
    // The first return took the card's 19,900 back; the second sends 39,800 to the card, which had 19,900 left.
    const first = refunded(sold, 1, tender('card', -19_900, { reference: 'C-1' }));
    const second = refunded(sold, 2, tender('card', -39_800, { reference: 'C-1' }));
    await pushAndProject(sold, first);
    await pushAndProject(second);
    // A cash sale refunded to WeChat Pay.
    const wechat = paidWith(1, tender('cash', 19_900));
    const wrongWay = refunded(wechat, 1, tender('wechat', -19_900, { reference: 'WX-9' }));
    await pushAndProject(wechat, wrongWay);
    expect(await exceptions()).toEqual([
      {
        sale_id: payloadOf(second).saleId,
        n: 1,
        method: 'card',
        instead_of: null,
        amount: 39_800,
        unfunded: 19_900,
        detail: `${payloadOf(second).receiptNo}: ￥398.00 back to card, the sale's card money had ￥199.00 left`,
      },
      {
        sale_id: payloadOf(wrongWay).saleId,
        n: 1,
        method: 'wechat',
        instead_of: null,
        amount: 19_900,
        unfunded: 19_900,
        detail: `${payloadOf(wrongWay).receiptNo}: ￥199.00 back to wechat, the sale's wechat money had ￥0.00 left`,
      },
    ]);
  });

  /**
   * ￥199 by card and ￥199 in cash; the exchange returns both units and buys one (credit ￥199): the
   * card's ￥199 went back to the card, so the cash paid for the new item. Then the new item comes back, refunded with `refund`.
   */
  function exchangedThenReturned(refund: SaleTender): OutboxEvent[] {
    const sold = paidWith(2, tender('card', 19_900, { reference: 'C-1' }), tender('cash', 19_900));
    const exchange = refunded(sold, 2, tender('card', -19_900, { reference: 'C-1' }));
    const x = payloadOf(exchange);
    x.kind = 'exchange';
    x.lines.push({ ...payloadOf(sold).lines[0]!, lineId: `${x.saleId}-new`, qty: 1, totalFen: 19_900, originalLineId: null });
    x.totals = { subtotalFen: 19_900, discountFen: 0, totalFen: 19_900, refundFen: 39_800, netFen: -19_900, changeFen: 0 };
    const back = refunded(exchange, 1, refund);
    payloadOf(back).lines[0]!.originalLineId = `${x.saleId}-new`;
    return [sold, exchange, back];
  }

  it("follows an exchange's credit to the original's money: its new item refunded in cash went back the way it came", async () => {
    await pushAndProject(...exchangedThenReturned(tender('cash', -19_900)));
    expect(await exceptions()).toEqual([]);
  });

  it("lists an exchange's new item refunded to the card that the exchange had already paid back", async () => {
    const events = exchangedThenReturned(tender('card', -19_900, { reference: 'C-1' }));
    await pushAndProject(...events);
    expect((await exceptions()).map((e) => [e.sale_id, e.method, e.amount, e.unfunded])).toEqual([
      [payloadOf(events[2]!).saleId, 'card', 19_900, 19_900],
    ]);
  });
  it('lists a no-receipt return paid back to a card or WeChat Pay: there is no sale whose money it could follow (the till pays those in cash)', async () => {
    const back = saleEvent('S1', [1], { qty: -1 });
    payloadOf(back).tenders = [tender('wechat', -19_900, { reference: 'WX-1' })];
    await pushAndProject(back);
    expect((await exceptions()).map((e) => [e.sale_id, e.method, e.amount, e.unfunded, e.detail])).toEqual([
      [
        payloadOf(back).saleId,
        'wechat',
        19_900,
        19_900,
        `${payloadOf(back).receiptNo}: ￥199.00 back to wechat on a return with no receipt (the till pays those in cash)`,
      ],
    ]);
    expect(await originals()).toEqual([{ original: null }]);
  });

  it('takes a return with a receipt and an item without one: the receipt’s part back to its card, the other in cash, and a later return of the rest too', async () => {
    const sold = paidWith(2, tender('card', 39_800, { reference: 'C-1' }));
    // One unit back with the receipt, and a ¥500 coat bought elsewhere: ¥699 back, more than the sale's ¥398.
    const mixed = refunded(sold, 1, tender('card', -19_900, { reference: 'C-1' }), tender('cash', -50_000));
    const m = payloadOf(mixed);
    m.lines.push({
      ...m.lines[0]!,
      lineId: `${m.saleId}-nr`,
      sku: payloadOf(sold).lines[0]!.sku,
      totalFen: -50_000,
      unitFen: 50_000,
      originalLineId: null,
    });
    m.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen: 69_900, netFen: -69_900, changeFen: 0 };
    const rest = refunded(sold, 1, tender('card', -19_900, { reference: 'C-1' }));
    await pushAndProject(sold, mixed);
    await pushAndProject(rest);
    expect(await exceptions()).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM sale WHERE original_sale_id = $1`, [payloadOf(sold).saleId])).toEqual([{ n: 2 }]);
  });

  it('lists nothing when its new item comes back: the receipt’s part to the card, the no-receipt part in cash, as the till pays it', async () => {
    const sold = paidWith(1, tender('card', 19_900, { reference: 'C-1' }));
    // The unit with its receipt (¥199) and a ¥500 coat bought elsewhere pay for a ¥799 item: ¥100 more by card.
    const exchange = refunded(sold, 1, tender('card', 10_000, { reference: 'C-2' }));
    const x = payloadOf(exchange);
    x.kind = 'exchange';
    x.lines.push(
      { ...x.lines[0]!, lineId: `${x.saleId}-nr`, totalFen: -50_000, unitFen: 50_000, listUnitFen: 50_000, originalLineId: null },
      {
        ...payloadOf(sold).lines[0]!,
        lineId: `${x.saleId}-new`,
        qty: 1,
        unitFen: 79_900,
        listUnitFen: 79_900,
        totalFen: 79_900,
        originalLineId: null,
      },
    );
    x.totals = { subtotalFen: 79_900, discountFen: 0, totalFen: 79_900, refundFen: 69_900, netFen: 10_000, changeFen: 0 };
    // The new item back: the till pays the card what paid for it (¥100 + ¥199) and the rest (the coat's ¥500) in cash.
    const back = refunded(exchange, 1, tender('card', -29_900, { reference: 'C-2' }), tender('cash', -50_000));
    const b = payloadOf(back);
    b.lines = [{ ...x.lines[2]!, lineId: `${b.saleId}-r`, qty: -1, totalFen: -79_900, originalLineId: `${x.saleId}-new` }];
    b.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen: 79_900, netFen: -79_900, changeFen: 0 };
    await pushAndProject(sold, exchange);
    await pushAndProject(back);
    expect((await exceptions()).map((e) => [e.method, e.amount, e.unfunded, e.detail])).toEqual([]);
  });

  /** A return of one unit of `sold`'s line with the receipt and a ¥500 coat without one (¥699 back), refunded with `refunds`. */
  function withNoReceiptCoat(sold: OutboxEvent, ...refunds: SaleTender[]): OutboxEvent {
    const back = refunded(sold, 1, ...refunds);
    const m = payloadOf(back);
    m.lines.push({ ...m.lines[0]!, lineId: `${m.saleId}-nr`, totalFen: -50_000, unitFen: 50_000, originalLineId: null });
    m.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen: 69_900, netFen: -69_900, changeFen: 0 };
    return back;
  }

  it('takes cash up to the no-receipt part as no one’s money, and lists cash beyond it that the sale did not pay', async () => {
    const byCard = paidWith(2, tender('card', 39_800, { reference: 'C-1' }));
    // The receipt's unit went back in cash without a manager's approval: ¥199 of cash the card sale never had.
    const split = withNoReceiptCoat(byCard, tender('cash', -50_000), tender('cash', -19_900));
    const whole = withNoReceiptCoat(byCard, tender('cash', -69_900));
    await pushAndProject(byCard, split, whole);
    expect((await exceptions()).map((e) => [e.sale_id, e.n, e.amount, e.unfunded])).toEqual([
      [payloadOf(split).saleId, 2, 19_900, 19_900],
      [payloadOf(whole).saleId, 1, 69_900, 19_900],
    ]);
    // A cash sale's unit back in cash beside the coat: all of it cash the till may pay.
    await db.query('DELETE FROM refund_exception');
    const byCash = paidWith(2, tender('cash', 39_800));
    await pushAndProject(byCash, withNoReceiptCoat(byCash, tender('cash', -69_900)));
    expect(await exceptions()).toEqual([]);
  });
});
