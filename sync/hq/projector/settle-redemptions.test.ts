import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { PushRequest, PushResult } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { testBackends } from '../testing/backends.js';
import { FIXTURE, cashEvent, deviceOf, returnOf, saleEvent } from '../testing/push-fixture.js';
import { projectAll } from './project-batch.js';
import { settleRedemptions } from './settle-redemptions.js';
import { useSeededHq } from '../testing/use-test-hq.js';

/**
 * Coupons and points are settled by HQ's projector in receive order (issue "Money and sync
 * correctness", item 1): a coupon or points spent twice are recorded and flagged for finance,
 * never refused — the sale is a fact. Pushed and projected as a till's sales are.
 */
const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');
const S2 = deviceOf('S2');
const MEMBER = 'cus-1';
const OTHER_MEMBER = 'cus-2';
const COUPON = 'CPN-30';

type Redemptions = {
  customerId?: string | null;
  coupons?: { code: string; discountFen: number }[];
  points?: { redeemed: number; valueFen: number; earned: number } | null;
  offline?: boolean;
};

const payloadOf = (e: OutboxEvent) => e.payload as SaleCompleted;

/** A sale of one unit of SKU 1 (or of `skus`) at `store`, with the member, coupons and points given. */
function sale(store: 'S1' | 'S2', r: Redemptions, skus: number[] = [1], qty = 1): OutboxEvent {
  const event = saleEvent(store, skus, { qty });
  const p = payloadOf(event);
  p.customerId = r.customerId === undefined ? MEMBER : r.customerId;
  p.coupons = (r.coupons ?? []).map((c) => ({ ...c, spentOffline: true }));
  p.points = r.points ? { ...r.points, spentOffline: true } : null;
  if (r.offline !== undefined) p.offline = r.offline;
  return event;
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('settling coupons and points on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));
  beforeEach(async () => {
    await db.exec(`
      INSERT INTO customer (id, store_id, name, phone, tier, points, created_at) VALUES
        ('${MEMBER}', 'S1', 'Zhao', '13800138000', 'gold', 1500, '2026-01-01T00:00:00Z'),
        ('${OTHER_MEMBER}', 'S1', 'Sun', '13900139000', 'blue', 0, '2026-01-01T00:00:00Z');
      INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, valid_from, valid_until, hq_status) VALUES
        ('${COUPON}', 'B', '${MEMBER}', 'amount', '30元券', '¥30 off', 3000, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'issued'),
        ('CPN-B', 'B', NULL, 'amount', '10元券', '¥10 off', 1000, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'issued'),
        ('CPN-REVOKED', 'B', NULL, 'amount', '作废', 'revoked', 1000, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'revoked'),
        ('CPN-USED', 'B', NULL, 'amount', '已用', 'used', 1000, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'used');
    `);
  });

  async function push(device: AuthedDevice, events: OutboxEvent[]): Promise<PushResult[]> {
    const request: PushRequest = { deviceId: device.id, storeId: device.storeId, events };
    const results = await recordPush(db, device, request, NOW);
    await projectAll(db, NOW);
    return results;
  }

  const balance = async (customer = MEMBER) =>
    (await db.query<{ points: number }>('SELECT points FROM customer WHERE id = $1', [customer]))[0]?.points;
  const coupon = async (code: string) =>
    (
      await db.query<Record<string, unknown>>(
        `SELECT hq_status AS status, redeemed_sale_id AS sale, sf_iso(redeemed_at) AS at, redeemed_store_id AS store FROM coupon WHERE code = $1`,
        [code],
      )
    )[0];
  const ledger = async () =>
    db.query<{ customer_id: string; event_id: string; sale_id: string; kind: string; points: number }>(
      'SELECT customer_id, event_id::text AS event_id, sale_id, kind, points FROM points_entry ORDER BY id',
    );
  /** sale_settlement rows in the order HQ received their sales. */
  const settlements = async () =>
    db.query<Record<string, unknown>>(
      `SELECT t.sale_id, t.store_id, t.customer_id, t.points_burnt, t.points_earned, t.conflict, t.at_risk_fen::int AS at_risk_fen,
              sf_iso(t.settled_at) AS settled_at
         FROM sale_settlement t JOIN sale s ON s.id = t.sale_id JOIN event e ON e.id = s.event_id ORDER BY e.hq_seq`,
    );
  const conflicts = async () =>
    db.query<Record<string, unknown>>(
      `SELECT event_id::text AS event_id, sale_id, receipt_no, store_id, device_id::text AS device_id, customer_id, coupons, points,
              at_risk_fen::int AS at_risk_fen, detail, offline FROM settlement_conflict ORDER BY id`,
    );

  it('redeems an issued coupon for the sale that used it, burns and credits points, and records what it settled', async () => {
    const s = sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }], points: { redeemed: 1000, valueFen: 1000, earned: 199 } });
    expect((await push(S1, [s])).map((r) => r.status)).toEqual(['accepted']);
    const p = payloadOf(s);
    expect(await coupon(COUPON)).toEqual({ status: 'used', sale: p.saleId, at: s.occurredAt, store: 'S1' });
    expect(await coupon('CPN-B')).toEqual({ status: 'issued', sale: null, at: null, store: null });
    expect(await balance()).toBe(1500 - 1000 + 199);
    expect(await ledger()).toEqual([
      { customer_id: MEMBER, event_id: s.id, sale_id: p.saleId, kind: 'burn', points: -1000 },
      { customer_id: MEMBER, event_id: s.id, sale_id: p.saleId, kind: 'earn', points: 199 },
    ]);
    expect(await settlements()).toEqual([
      {
        sale_id: p.saleId,
        store_id: 'S1',
        customer_id: MEMBER,
        points_burnt: 1000,
        points_earned: 199,
        conflict: null,
        at_risk_fen: 0,
        settled_at: NOW.toISOString(),
      },
    ]);
    expect(await conflicts()).toEqual([]);
  });

  it('a coupon spent twice: the later sale stands, is settled with the conflict, and finance sees where the coupon went', async () => {
    const first = sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }] });
    const second = sale('S2', { coupons: [{ code: COUPON, discountFen: 2500 }], offline: true });
    expect((await push(S1, [first])).map((r) => r.status)).toEqual(['accepted']);
    expect((await push(S2, [second])).map((r) => r.status)).toEqual(['accepted']);
    const [a, b] = [payloadOf(first), payloadOf(second)];
    expect(await db.query('SELECT count(*)::int AS n FROM sale')).toEqual([{ n: 2 }]);
    // The coupon stays with the sale that reached HQ first.
    expect(await coupon(COUPON)).toMatchObject({ status: 'used', sale: a.saleId, store: 'S1' });
    const detail = `coupon ${COUPON} was already used on ${a.receiptNo} at S001`;
    expect(await settlements()).toEqual([
      expect.objectContaining({ sale_id: a.saleId, conflict: null, at_risk_fen: 0 }),
      expect.objectContaining({ sale_id: b.saleId, store_id: 'S2', customer_id: MEMBER, conflict: detail, at_risk_fen: 2500 }),
    ]);
    expect(await conflicts()).toEqual([
      {
        event_id: second.id,
        sale_id: b.saleId,
        receipt_no: b.receiptNo,
        store_id: 'S2',
        device_id: FIXTURE.devices.S2,
        customer_id: MEMBER,
        coupons: [COUPON],
        points: 0,
        at_risk_fen: 2500,
        detail: `${detail} (￥25.00 at risk)`,
        offline: true,
      },
    ]);
  });

  it('in one batch the coupon goes to the sale HQ received first', async () => {
    const first = sale('S1', { customerId: null, coupons: [{ code: 'CPN-B', discountFen: 1000 }], offline: false });
    const second = sale('S1', { customerId: null, coupons: [{ code: 'CPN-B', discountFen: 1000 }], offline: false });
    await push(S1, [first, second]);
    expect(await coupon('CPN-B')).toMatchObject({ status: 'used', sale: payloadOf(first).saleId });
    expect(await conflicts()).toEqual([
      expect.objectContaining({
        event_id: second.id,
        customer_id: null,
        coupons: ['CPN-B'],
        at_risk_fen: 1000,
        offline: false,
        detail: `coupon CPN-B was already used on ${payloadOf(first).receiptNo} at S001 (￥10.00 at risk)`,
      }),
    ]);
    // A sale with a coupon but no member is settled too (its store's tills show HQ's verdict).
    expect((await settlements()).map((s) => [s.sale_id, s.customer_id, s.points_burnt, s.points_earned])).toEqual([
      [payloadOf(first).saleId, null, 0, 0],
      [payloadOf(second).saleId, null, 0, 0],
    ]);
  });

  it('says why a coupon could not be redeemed: not HQ’s, revoked, used with no sale HQ knows; all problems of a sale in one conflict', async () => {
    const s = sale('S1', {
      customerId: null,
      coupons: [
        { code: 'CPN-FORGED', discountFen: 500 },
        { code: 'CPN-REVOKED', discountFen: 700 },
        { code: 'CPN-USED', discountFen: 900 },
        { code: 'CPN-B', discountFen: 1000 },
      ],
    });
    await push(S1, [s]);
    const detail = 'coupon CPN-FORGED is not one HQ issued; coupon CPN-REVOKED was revoked; coupon CPN-USED was already used';
    expect(await settlements()).toEqual([expect.objectContaining({ conflict: detail, at_risk_fen: 2100 })]);
    expect(await conflicts()).toEqual([
      expect.objectContaining({
        coupons: ['CPN-FORGED', 'CPN-REVOKED', 'CPN-USED'],
        at_risk_fen: 2100,
        detail: `${detail} (￥21.00 at risk)`,
      }),
    ]);
    // The one coupon that was still issued is redeemed; the revoked one stays revoked.
    expect(await coupon('CPN-B')).toMatchObject({ status: 'used', sale: payloadOf(s).saleId });
    expect(await coupon('CPN-REVOKED')).toMatchObject({ status: 'revoked', sale: null });
  });

  it("keeps a conflict's text to 1,000 characters; finance's row still lists every coupon", async () => {
    const codes = Array.from({ length: 12 }, (_, i) => `CPN-${String(i).padStart(2, '0')}-${'X'.repeat(57)}`);
    await push(S1, [sale('S1', { customerId: null, coupons: codes.map((code) => ({ code, discountFen: 100 })) })]);
    const whole = codes.map((c) => `coupon ${c} is not one HQ issued`).join('; ');
    expect(whole.length).toBeGreaterThan(1000);
    const [settled] = await settlements();
    expect(settled?.conflict).toBe(whole.slice(0, 1000));
    expect((await conflicts())[0]).toMatchObject({
      coupons: codes,
      at_risk_fen: 1200,
      detail: `${whole.slice(0, 1000)} (￥12.00 at risk)`,
    });
  });

  it('points the balance does not hold: the sale stands, the balance is left as it was, the whole redemption is at risk', async () => {
    await db.query('UPDATE customer SET points = 500 WHERE id = $1', [MEMBER]);
    const s = sale('S1', { points: { redeemed: 1000, valueFen: 1000, earned: 99 } });
    await push(S1, [s]);
    // Not burnt, but what the sale earned is still credited.
    expect(await balance()).toBe(599);
    expect((await ledger()).map((e) => [e.kind, e.points])).toEqual([['earn', 99]]);
    const detail = '1000 points redeemed, the balance was 500';
    expect(await settlements()).toEqual([
      expect.objectContaining({ customer_id: MEMBER, points_burnt: 0, points_earned: 99, conflict: detail, at_risk_fen: 1000 }),
    ]);
    expect(await conflicts()).toEqual([
      expect.objectContaining({ customer_id: MEMBER, coupons: [], points: 1000, at_risk_fen: 1000, detail: `${detail} (￥10.00 at risk)` }),
    ]);
  });

  it('burns a balance to exactly zero', async () => {
    await db.query('UPDATE customer SET points = 1000 WHERE id = $1', [MEMBER]);
    await push(S1, [sale('S1', { points: { redeemed: 1000, valueFen: 1000, earned: 0 } })]);
    expect(await balance()).toBe(0);
    // Nothing earned: no earn entry, and no conflict.
    expect((await ledger()).map((e) => [e.kind, e.points])).toEqual([['burn', -1000]]);
    expect(await settlements()).toEqual([expect.objectContaining({ points_burnt: 1000, points_earned: 0, conflict: null })]);
    expect(await conflicts()).toEqual([]);
  });

  it('points of a member HQ does not know: a conflict, and nothing credited', async () => {
    const s = sale('S1', { customerId: 'cus-ghost', points: { redeemed: 300, valueFen: 300, earned: 50 } });
    await push(S1, [s]);
    const detail = '300 points of member cus-ghost, whom HQ does not know';
    expect(await settlements()).toEqual([
      expect.objectContaining({ customer_id: 'cus-ghost', points_burnt: 0, points_earned: 0, conflict: detail, at_risk_fen: 300 }),
    ]);
    expect(await conflicts()).toEqual([expect.objectContaining({ points: 300, detail: `${detail} (￥3.00 at risk)` })]);
    expect(await ledger()).toEqual([]);
  });

  it('a member who only earns, or spends nothing, moves only what the sale says', async () => {
    const earns = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 199 } });
    const nothing = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 0 } });
    const noPoints = sale('S1', { points: null });
    const stranger = sale('S1', { customerId: null, points: null });
    await push(S1, [earns, nothing, noPoints, stranger]);
    expect(await balance()).toBe(1699);
    expect((await ledger()).map((e) => [e.event_id, e.kind, e.points])).toEqual([[earns.id, 'earn', 199]]);
    // Only the sale that moved points is settled: the others used no coupon and no points.
    expect((await settlements()).map((s) => s.sale_id)).toEqual([payloadOf(earns).saleId]);
  });

  it('clears the holds the sale used: its coupons, and its member’s points held by this till only', async () => {
    await db.exec(`
      INSERT INTO redemption_hold (kind, key, device_id, cart_id, points, expires_at) VALUES
        ('coupon', '${COUPON}', '${FIXTURE.devices.S1}', 'cart-1', 0, '2026-11-20T10:00:00Z'),
        ('coupon', 'CPN-B', '${FIXTURE.devices.S1}', 'cart-2', 0, '2026-11-20T10:00:00Z'),
        ('points', '${MEMBER}', '${FIXTURE.devices.S1}', 'cart-1', 100, '2026-11-20T10:00:00Z'),
        ('points', '${MEMBER}', '${FIXTURE.devices.S2}', 'cart-9', 100, '2026-11-20T10:00:00Z'),
        ('points', '${OTHER_MEMBER}', '${FIXTURE.devices.S1}', 'cart-3', 100, '2026-11-20T10:00:00Z');
    `);
    await push(S1, [sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }], points: { redeemed: 100, valueFen: 100, earned: 0 } })]);
    expect(await db.query(`SELECT kind, key, device_id::text AS device FROM redemption_hold ORDER BY kind, key, device_id`)).toEqual([
      { kind: 'coupon', key: 'CPN-B', device: FIXTURE.devices.S1 },
      { kind: 'points', key: MEMBER, device: FIXTURE.devices.S2 },
      { kind: 'points', key: OTHER_MEMBER, device: FIXTURE.devices.S1 },
    ]);
  });

  it('a points hold is cleared even when the points were not there', async () => {
    await db.query('UPDATE customer SET points = 10 WHERE id = $1', [MEMBER]);
    await db.query(
      `INSERT INTO redemption_hold (kind, key, device_id, cart_id, points, expires_at) VALUES ('points', $1, $2, 'cart-1', 100, '2026-11-20T10:00:00Z')`,
      [MEMBER, FIXTURE.devices.S1],
    );
    await push(S1, [sale('S1', { points: { redeemed: 100, valueFen: 100, earned: 0 } })]);
    expect(await db.query('SELECT count(*)::int AS n FROM redemption_hold')).toEqual([{ n: 0 }]);
    expect(await balance()).toBe(10);
  });

  it('a return of the last unit gives back the coupons and the points the sale spent; a partial return does not', async () => {
    const s = sale(
      'S1',
      { coupons: [{ code: COUPON, discountFen: 3000 }], points: { redeemed: 1000, valueFen: 1000, earned: 398 } },
      [1, 2],
    );
    await push(S1, [s]);
    expect(await balance()).toBe(1500 - 1000 + 398);
    // One line of two back: the coupon and points stay spent; the line's earned points go back.
    const part = returnOf(s, 1, { n: 0, earned: -199 });
    expect((await push(S1, [part])).map((r) => r.status)).toEqual(['accepted']);
    expect(await coupon(COUPON)).toMatchObject({ status: 'used', sale: payloadOf(s).saleId });
    expect(await balance()).toBe(1500 - 1000 + 199);
    // The other line back: everything the sale spent comes back.
    const rest = returnOf(s, 1, { n: 1, earned: -199 });
    expect((await push(S1, [rest])).map((r) => r.status)).toEqual(['accepted']);
    expect(await coupon(COUPON)).toEqual({ status: 'issued', sale: null, at: null, store: null });
    expect(await balance()).toBe(1500);
    expect((await ledger()).map((e) => [e.event_id, e.sale_id, e.kind, e.points])).toEqual([
      [s.id, payloadOf(s).saleId, 'burn', -1000],
      [s.id, payloadOf(s).saleId, 'earn', 398],
      [part.id, payloadOf(part).saleId, 'earn', -199],
      [rest.id, payloadOf(rest).saleId, 'earn', -199],
      [rest.id, payloadOf(s).saleId, 'restore', 1000],
    ]);
    // The returns are settled with what they took back.
    expect((await settlements()).map((r) => [r.sale_id, r.points_burnt, r.points_earned])).toEqual(
      expect.arrayContaining([
        [payloadOf(part).saleId, 0, -199],
        [payloadOf(rest).saleId, 0, -199],
      ]),
    );
  });

  it('a return taking back points the member has spent since: the return stands, the balance owes them, finance sees it', async () => {
    // Sun earns 398 on a sale, spends 300 of them on the next, then returns the first sale in full.
    const earned = sale('S1', { customerId: OTHER_MEMBER, points: { redeemed: 0, valueFen: 0, earned: 398 } }, [1, 2]);
    const spent = sale('S1', { customerId: OTHER_MEMBER, points: { redeemed: 300, valueFen: 300, earned: 0 } });
    await push(S1, [earned, spent]);
    expect(await balance(OTHER_MEMBER)).toBe(98);
    const first = returnOf(earned, 1, { n: 0, earned: -199 });
    const second = returnOf(earned, 1, { n: 1, earned: -199 });
    expect((await push(S1, [first, second])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    // The first return's 199 leave -101: 101 of them were spent; the second's are all spent.
    expect(await balance(OTHER_MEMBER)).toBe(98 - 398);
    expect((await ledger()).map((e) => e.points)).toEqual([398, -300, -199, -199]);
    expect((await conflicts()).map((c) => [c.sale_id, c.points, c.at_risk_fen, c.detail])).toEqual([
      [payloadOf(first).saleId, 101, 0, '199 points taken back, 101 of them already spent: the balance is -101'],
      [payloadOf(second).saleId, 199, 0, '199 points taken back, 199 of them already spent: the balance is -300'],
    ]);
    expect((await settlements()).filter((r) => r.conflict !== null).map((r) => r.sale_id)).toEqual([
      payloadOf(first).saleId,
      payloadOf(second).saleId,
    ]);
  });

  it('a full return whose burnt points come back covers the points it takes back: no conflict', async () => {
    // Zhao (1,500) burns 1,000 and earns 199 on one sale, spends the rest elsewhere, then returns it.
    const s = sale('S1', { points: { redeemed: 1000, valueFen: 1000, earned: 199 } });
    await push(S1, [s, sale('S1', { points: { redeemed: 699, valueFen: 699, earned: 0 } })]);
    expect(await balance()).toBe(0);
    await push(S1, [returnOf(s, 1, { earned: -199 })]);
    // -199 alone would be below zero; the 1,000 restored make it 801.
    expect(await balance()).toBe(801);
    expect(await conflicts()).toEqual([]);
  });

  it('a full return of a sale with more than one unit on a line restores only at the last unit', async () => {
    const s = sale('S1', { customerId: null, coupons: [{ code: 'CPN-B', discountFen: 1000 }] }, [3], 2);
    await push(S1, [s]);
    await push(S1, [returnOf(s, 1)]);
    expect(await coupon('CPN-B')).toMatchObject({ status: 'used' });
    await push(S1, [returnOf(s, 1)]);
    expect(await coupon('CPN-B')).toMatchObject({ status: 'issued', sale: null });
    // A return with no member and no coupon of its own is not settled itself.
    expect((await settlements()).map((r) => r.sale_id)).toEqual([payloadOf(s).saleId]);
    expect(await ledger()).toEqual([]);
  });

  it('a fully returned member sale that burnt no points restores no points', async () => {
    const s = sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }], points: { redeemed: 0, valueFen: 0, earned: 199 } });
    await push(S1, [s]);
    await push(S1, [returnOf(s, 1, { earned: -199 })]);
    expect(await coupon(COUPON)).toMatchObject({ status: 'issued' });
    expect(await balance()).toBe(1500);
    expect((await ledger()).map((e) => e.kind)).toEqual(['earn', 'earn']);
  });

  it('restores a return’s points once, however often the return is settled', async () => {
    const s = sale('S1', { points: { redeemed: 500, valueFen: 500, earned: 0 } });
    await push(S1, [s]);
    const back = returnOf(s, 1);
    await push(S1, [back]);
    expect(await balance()).toBe(1500);
    // The same return settled again (a re-delivered projection): the restore entry is unique by event, the balance moves once.
    await db.tx((sql) => settleRedemptions(sql, S1, [back], NOW));
    expect(await balance()).toBe(1500);
    expect((await ledger()).map((e) => e.kind)).toEqual(['burn', 'restore']);
  });
  const INT4_MAX = 2_147_483_647;
  const projectedSales = async () => (await db.query<{ id: string }>('SELECT id FROM sale ORDER BY id')).map((r) => r.id);

  it('points a balance cannot hold are not credited: the sale stands, is projected, and finance sees the points', async () => {
    // A till bug earning 10⁹ a sale: the third would take the integer balance past its range.
    await db.query('UPDATE customer SET points = $2 WHERE id = $1', [MEMBER, INT4_MAX - 1000]);
    const big = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 1001 } });
    const fits = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 1000 } });
    expect((await push(S1, [big, fits])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await projectedSales()).toEqual([payloadOf(big).saleId, payloadOf(fits).saleId].sort());
    expect(await balance()).toBe(INT4_MAX);
    expect((await ledger()).map((e) => [e.event_id, e.kind, e.points])).toEqual([[fits.id, 'earn', 1000]]);
    const detail = `1001 points earned, which a balance of ${INT4_MAX - 1000} cannot hold: not credited`;
    expect(await settlements()).toEqual([
      expect.objectContaining({ sale_id: payloadOf(big).saleId, points_earned: 0, conflict: detail, at_risk_fen: 0 }),
      expect.objectContaining({ sale_id: payloadOf(fits).saleId, points_earned: 1000, conflict: null }),
    ]);
    expect(await conflicts()).toEqual([expect.objectContaining({ event_id: big.id, points: 1001, at_risk_fen: 0, detail })]);
  });

  it('a return taking back points below what a balance can hold: the return stands, the balance stays, finance sees it', async () => {
    const s = sale('S1', { customerId: OTHER_MEMBER, points: { redeemed: 0, valueFen: 0, earned: 500 } });
    await push(S1, [s]);
    await db.query('UPDATE customer SET points = $2 WHERE id = $1', [OTHER_MEMBER, -INT4_MAX]);
    const back = returnOf(s, 1, { earned: -500 });
    expect((await push(S1, [back])).map((r) => r.status)).toEqual(['accepted']);
    expect(await projectedSales()).toContain(payloadOf(back).saleId);
    expect(await balance(OTHER_MEMBER)).toBe(-INT4_MAX);
    expect((await conflicts()).map((c) => [c.sale_id, c.points, c.detail])).toEqual([
      [payloadOf(back).saleId, 500, `500 points taken back, which a balance of ${-INT4_MAX} cannot hold: not credited`],
    ]);
  });

  it('a return takes back only the points its sale was credited: none of those a balance could not hold', async () => {
    await db.query('UPDATE customer SET points = $2 WHERE id = $1', [MEMBER, INT4_MAX - 1000]);
    // Two lines earning 1,001 each: the balance cannot hold them, nothing is credited.
    const s = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 2002 } }, [1, 2]);
    await push(S1, [s]);
    expect(await balance()).toBe(INT4_MAX - 1000);
    // The sale comes back a line at a time: the member keeps the points they had, no ledger entry takes back what was never given.
    const first = returnOf(s, 1, { n: 0, earned: -1001 });
    const second = returnOf(s, 1, { n: 1, earned: -1001 });
    expect((await push(S1, [first, second])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await balance()).toBe(INT4_MAX - 1000);
    expect(await ledger()).toEqual([]);
    expect(
      (await settlements()).filter((r) => r.sale_id !== payloadOf(s).saleId).map((r) => [r.sale_id, r.points_earned, r.conflict]),
    ).toEqual([
      [payloadOf(first).saleId, 0, null],
      [payloadOf(second).saleId, 0, null],
    ]);
    expect((await conflicts()).map((c) => c.sale_id)).toEqual([payloadOf(s).saleId]);
  });

  it('a return takes back no more than what its sale was credited and earlier returns left', async () => {
    const s = sale('S1', { customerId: OTHER_MEMBER, points: { redeemed: 0, valueFen: 0, earned: 300 } }, [1, 2]);
    await push(S1, [s]);
    // A till that takes back more than the sale earned (200 and then 200 of 300): the second takes back the 100 left.
    await push(S1, [returnOf(s, 1, { n: 0, earned: -200 }), returnOf(s, 1, { n: 1, earned: -200 })]);
    expect(await balance(OTHER_MEMBER)).toBe(0);
    expect((await ledger()).map((e) => e.points)).toEqual([300, -200, -100]);
    expect(await conflicts()).toEqual([]);
  });

  it("an item bought in an exchange, then returned, takes back all its points: not only the exchange's net", async () => {
    const s = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 199 } });
    await push(S1, [s]);
    // The ¥199 item exchanged for two at ¥199 (¥199 more paid, 199 more points), then both returned: 398 back.
    const e = sale('S1', { points: { redeemed: 0, valueFen: 0, earned: 199 } }, [2], 2);
    const p = payloadOf(e);
    const line = payloadOf(s).lines[0]!;
    p.kind = 'exchange';
    p.originalSaleId = payloadOf(s).saleId;
    p.lines.push({ ...line, lineId: `${p.saleId}-r`, qty: -1, discountFen: 0, totalFen: -19900, originalLineId: line.lineId });
    p.tenders = [{ method: 'cash', amountFen: 19900, reference: null, providerRef: null }];
    p.totals = { ...p.totals, refundFen: 19900, netFen: 19900 };
    await push(S1, [e]);
    await push(S1, [returnOf(e, 2, { earned: -398 })]);
    expect((await ledger()).map((x) => x.points)).toEqual([199, 199, -398]);
    expect(await balance()).toBe(1500);
  });

  it('burnt points a balance cannot take back on a full return are not restored, and finance sees them', async () => {
    const s = sale('S1', { points: { redeemed: 500, valueFen: 500, earned: 0 } });
    await push(S1, [s]);
    await db.query('UPDATE customer SET points = $2 WHERE id = $1', [MEMBER, INT4_MAX - 100]);
    const back = returnOf(s, 1);
    expect((await push(S1, [back])).map((r) => r.status)).toEqual(['accepted']);
    expect(await projectedSales()).toContain(payloadOf(back).saleId);
    expect(await balance()).toBe(INT4_MAX - 100);
    expect((await ledger()).map((e) => e.kind)).toEqual(['burn']);
    expect((await conflicts()).map((c) => [c.sale_id, c.points, c.detail])).toEqual([
      [payloadOf(back).saleId, 500, `500 points to restore, which a balance of ${INT4_MAX - 100} cannot hold: not restored`],
    ]);
  });

  it('a coupon spent twice on a sale whose points were burnt puts only the coupon at risk', async () => {
    await push(S1, [sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }] })]);
    const s = sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }], points: { redeemed: 200, valueFen: 200, earned: 0 } });
    await push(S1, [s]);
    expect(await balance()).toBe(1300);
    expect((await settlements())[1]).toMatchObject({ points_burnt: 200, at_risk_fen: 3000 });
    expect(await conflicts()).toEqual([expect.objectContaining({ event_id: s.id, coupons: [COUPON], points: 0, at_risk_fen: 3000 })]);
  });

  it('settles only sales: cash movements and audit events in the batch are passed over', async () => {
    const s = sale('S1', { coupons: [{ code: COUPON, discountFen: 3000 }] });
    const opened = {
      ...cashEvent('S1', 0),
      type: 'device.drawer_opened',
      payload: { reason: 'change', note: null, via: 'key', at: '2026-11-20T08:00:00.000Z' },
    };
    expect((await push(S1, [cashEvent('S1', 500), s, opened])).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await coupon(COUPON)).toMatchObject({ status: 'used', sale: payloadOf(s).saleId });
    expect((await settlements()).map((r) => r.sale_id)).toEqual([payloadOf(s).saleId]);
    expect(await db.query('SELECT count(*)::int AS n FROM cash_movement')).toEqual([{ n: 1 }]);
  });
});
