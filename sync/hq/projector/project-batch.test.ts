import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { testBackends } from '../testing/backends.js';
import { FIXTURE, cashEvent, deviceOf, saleEvent, skuCode } from '../testing/push-fixture.js';
import { projectAll, projectQueuedIn } from './project-batch.js';
import { useSeededHq } from '../testing/use-test-hq.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');

const S2 = deviceOf('S2');

function request(events: PushRequest['events'], device: AuthedDevice = S1): PushRequest {
  return { deviceId: device.id, storeId: device.storeId, events };
}

const payloadOf = (e: OutboxEvent) => e.payload as SaleCompleted;

/** A cash event of `type` (paid in, paid out, no sale) at S1. */
function cash(type: string, amountFen: number): OutboxEvent {
  return { ...cashEvent('S1', amountFen), type };
}

/**
 * What the projection wrote: rows per table, stock per SKU at S1, and `orphans`: lines and tenders
 * without their sale, sales and cash movements without their event (no foreign key checks these
 * since migration 0007: the projector's statement must keep them whole).
 */
async function projected(db: HqDb): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM sale) AS sales, (SELECT count(*) FROM sale_line) AS lines, (SELECT count(*) FROM sale_tender) AS tenders,
            (SELECT count(*) FROM cash_movement) AS cash, (SELECT coalesce(sum(net_fen), 0) FROM sale) AS net_fen,
            (SELECT count(*) FROM projection_queue) AS queued,
            (SELECT count(*) FROM sale_line l WHERE NOT EXISTS (SELECT 1 FROM sale s WHERE s.id = l.sale_id))
              + (SELECT count(*) FROM sale_tender t WHERE NOT EXISTS (SELECT 1 FROM sale s WHERE s.id = t.sale_id))
              + (SELECT count(*) FROM sale s WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = s.event_id))
              + (SELECT count(*) FROM cash_movement c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = c.event_id)) AS orphans`,
  );
  const stock = await db.query<{ sku: string; qty: number }>(`SELECT sku, qty FROM stock WHERE location_id = 'S1' ORDER BY sku`);
  return {
    ...Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])),
    ...Object.fromEntries(stock.map((s) => [s.sku, s.qty])),
  };
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('the projector on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));

  it('a push records and answers; the projection writes sales, lines, tenders, cash and stock summed per SKU', async () => {
    const events = [saleEvent('S1', [1, 2]), saleEvent('S1', [1], { qty: 3 }), cashEvent('S1', 5000), saleEvent('S1', [1, 3])];
    const results = await recordPush(db, S1, request(events), NOW);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // Recorded and queued, nothing projected yet.
    expect(await projected(db)).toMatchObject({ sales: 0, cash: 0, queued: 4, [skuCode(1)]: 100 });
    // Projected a minute after it was recorded: what the projection stamps is its own time.
    const projectedAt = new Date(NOW.getTime() + 60_000);
    expect(await projectAll(db, projectedAt)).toBe(4);
    expect(await projected(db)).toMatchObject({
      sales: 3,
      lines: 5,
      tenders: 3,
      cash: 1,
      queued: 0,
      orphans: 0,
      net_fen: 19900 * 7,
      [skuCode(1)]: 95,
      [skuCode(2)]: 99,
      [skuCode(3)]: 99,
    });
    // The store's feed carries the new quantities, stamped with the projection's time, written in the
    // projection's transaction (the stock feed's trigger fired on the per-SKU upserts).
    const keys = [1, 2, 3].map((n) => `S1|${skuCode(n)}`);
    const fed = await db.query<{ row: unknown[] }>(
      `SELECT row FROM change WHERE scope = 'store:S1' AND kind = 'stock' AND key = ANY($1::text[]) ORDER BY key`,
      [keys],
    );
    expect(fed.map((f) => f.row.slice(1, 4))).toEqual([
      [skuCode(1), 95, projectedAt.toISOString()],
      [skuCode(2), 99, projectedAt.toISOString()],
      [skuCode(3), 99, projectedAt.toISOString()],
    ]);
    const writers = await db.query(
      `SELECT xmin::text FROM change WHERE scope = 'store:S1' AND kind = 'stock' AND key = ANY($1::text[]) UNION SELECT xmin::text FROM sale`,
      [keys],
    );
    expect(writers).toHaveLength(1);
  });

  it('a re-push of projected events is answered duplicate and moves nothing', async () => {
    const events = [saleEvent('S1', [1, 2]), cashEvent('S1', 300)];
    await recordPush(db, S1, request(events), NOW);
    await projectAll(db, NOW);
    const once = await projected(db);
    expect(await recordPush(db, S1, request(events), NOW)).toEqual(events.map((e) => ({ id: e.id, status: 'duplicate' })));
    expect(await projectAll(db, NOW)).toBe(0);
    expect(await projected(db)).toEqual(once);
  });

  it('is idempotent by event id: the same batch projected twice moves its sales and stock once', async () => {
    const events = [saleEvent('S1', [1, 2]), saleEvent('S1', [2], { qty: 2 }), cashEvent('S1', 700)];
    await recordPush(db, S1, request(events), NOW);
    // Two projectors at once take turns; each event is taken off the queue by one of them.
    const [a, b] = await Promise.all([projectAll(db, NOW), projectAll(db, NOW)]);
    expect(a + b).toBe(3);
    const once = await projected(db);
    expect(once).toMatchObject({ sales: 2, cash: 1, orphans: 0, [skuCode(1)]: 99, [skuCode(2)]: 97 });
    // The same batch queued again (a projector that re-delivers): its sales and cash are there, nothing moves twice.
    await db.query('INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM event');
    expect(await projectAll(db, NOW)).toBe(3);
    expect(await projected(db)).toEqual(once);
    expect(await db.query(`SELECT count(*)::int AS n FROM dead_letter`)).toEqual([{ n: 0 }]);
  });

  it('a push with a return projects what is queued first, so the return is checked against its sale', async () => {
    const sale = saleEvent('S1', [4], { qty: 2 });
    await recordPush(db, S1, request([sale]), NOW);
    const p = sale.payload as { saleId: string; lines: { lineId: string }[] };
    const back = saleEvent('S1', [4], { qty: -1 });
    const payload = back.payload as { originalSaleId: string | null; lines: { originalLineId: string | null }[] };
    payload.originalSaleId = p.saleId;
    payload.lines[0]!.originalLineId = p.lines[0]!.lineId;
    expect((await recordPush(db, S1, request([back]), NOW)).map((r) => r.status)).toEqual(['accepted']);
    await projectAll(db, NOW);
    expect(await projected(db)).toMatchObject({ sales: 2, [skuCode(4)]: 99 });
  });
  it('writes every column of sales, lines, tenders and cash as the events of a batch of two stores say', async () => {
    // A member's sale of two SKUs paid by card and cash, one of them an SKU HQ does not know.
    const a = saleEvent('S1', [1, 2]);
    const pa = payloadOf(a);
    pa.customerId = 'cus-1';
    pa.lines[1] = { ...pa.lines[1]!, sku: 'SKU-GONE', qty: 2, totalFen: 2 * 19900 - 500, discountFen: 500 };
    pa.totals = {
      subtotalFen: 3 * 19900,
      discountFen: 500,
      totalFen: 3 * 19900 - 500,
      refundFen: 0,
      netFen: 3 * 19900 - 500,
      changeFen: 0,
    };
    pa.tenders = [
      { method: 'card', amountFen: 20000, reference: 'auth-1', providerRef: null },
      { method: 'cash', amountFen: 3 * 19900 - 500 - 20000, reference: null, providerRef: null },
    ];
    pa.offline = false;
    const b = saleEvent('S1', [3], { qty: 2 });
    const moves = [cash('cash.paid_in', 5000), cash('cash.paid_out', 1200), cash('cash.no_sale', 0)];
    const opened = {
      ...cashEvent('S1', 0),
      type: 'device.drawer_opened',
      payload: { reason: 'change', note: null, via: 'key', at: '2026-11-20T08:00:00.000Z' },
    };
    const tagged = { ...cashEvent('S1', 0), type: 'customer.tag_added', payload: { customerId: 'cus-1', tag: 'VIP' } };
    const c = saleEvent('S2', [1, 4]);
    // A return of a sale projected before, in the same batch.
    const x = saleEvent('S1', [5]);
    const back = saleEvent('S1', [5], { qty: -1 });
    payloadOf(back).originalSaleId = payloadOf(x).saleId;
    payloadOf(back).lines[0]!.originalLineId = payloadOf(x).lines[0]!.lineId;
    await db.exec(
      `INSERT INTO customer (id, store_id, name, phone, tier, points, created_at) VALUES ('cus-1', 'S1', 'Zhao', '1', 'gold', 0, now())`,
    );
    await recordPush(db, S1, request([x]), NOW);
    await projectAll(db, NOW);
    const s1 = [a, moves[0]!, back, b, opened, moves[1]!, tagged, moves[2]!];
    expect((await recordPush(db, S1, request(s1), NOW)).map((r) => r.status)).toEqual(s1.map(() => 'accepted'));
    expect((await recordPush(db, S2, request([c], S2), NOW)).map((r) => r.status)).toEqual(['accepted']);
    // One batch holds both devices' events.
    expect(await db.tx((sql) => projectQueuedIn(sql, NOW, { wait: true }))).toBe(9);

    const sales = await db.query<Record<string, unknown>>(
      `SELECT id, event_id::text AS event_id, receipt_no, kind, store_id, device_id::text AS device_id, staff_id, customer_id, original_sale_id,
              business_day::text AS day, total_fen::int AS total, net_fen::int AS net, offline, sf_iso(created_at) AS created, sf_iso(received_at) AS received
         FROM sale ORDER BY receipt_no`,
    );
    const saleRow = (e: OutboxEvent, device: string, store: string) => {
      const p = payloadOf(e);
      return {
        id: p.saleId,
        event_id: e.id,
        receipt_no: p.receiptNo,
        kind: p.kind,
        store_id: store,
        device_id: device,
        staff_id: p.staffId,
        customer_id: p.customerId,
        original_sale_id: p.originalSaleId,
        day: '2026-11-20',
        total: p.totals.totalFen,
        net: p.totals.netFen,
        offline: p.offline,
        created: p.createdAt,
        received: NOW.toISOString(),
      };
    };
    const byReceipt = (rows: Record<string, unknown>[]) => rows.sort((x, y) => String(x.receipt_no).localeCompare(String(y.receipt_no)));
    expect(sales).toEqual(
      byReceipt([
        saleRow(x, S1.id, 'S1'),
        saleRow(a, S1.id, 'S1'),
        saleRow(back, S1.id, 'S1'),
        saleRow(b, S1.id, 'S1'),
        saleRow(c, S2.id, 'S2'),
      ]),
    );

    const lines = await db.query<Record<string, unknown>>(
      `SELECT id, sale_id, sku, qty, unit_fen::int AS unit, total_fen::int AS total, original_line_id FROM sale_line ORDER BY id`,
    );
    const lineRows = [x, a, back, b, c].flatMap((e) =>
      payloadOf(e).lines.map((l) => ({
        id: l.lineId,
        sale_id: payloadOf(e).saleId,
        sku: l.sku,
        qty: l.qty,
        unit: l.unitFen,
        total: l.totalFen,
        original_line_id: l.originalLineId,
      })),
    );
    expect(lines).toEqual(lineRows.sort((x, y) => x.id.localeCompare(y.id)));

    const tenders = await db.query<Record<string, unknown>>(
      `SELECT sale_id, n, method, amount_fen::int AS amount, reference FROM sale_tender ORDER BY sale_id, n`,
    );
    const tenderRows = [x, a, back, b, c].flatMap((e) =>
      payloadOf(e).tenders.map((t, i) => ({
        sale_id: payloadOf(e).saleId,
        n: i + 1,
        method: t.method,
        amount: t.amountFen,
        reference: t.reference,
      })),
    );
    expect(tenders).toEqual(tenderRows.sort((x, y) => String(x.sale_id).localeCompare(String(y.sale_id)) || x.n - y.n));

    const movements = await db.query<Record<string, unknown>>(
      `SELECT id, event_id::text AS event_id, store_id, device_id::text AS device_id, session_id, kind, amount_fen::int AS amount, staff_id
         FROM cash_movement ORDER BY amount_fen`,
    );
    expect(movements).toEqual(
      [
        [moves[2]!, 'no_sale'],
        [moves[1]!, 'paid_out'],
        [moves[0]!, 'paid_in'],
      ].map(([e, kind]) => {
        const p = (e as OutboxEvent).payload as { id: string; sessionId: string; amountFen: number };
        return {
          id: p.id,
          event_id: (e as OutboxEvent).id,
          store_id: 'S1',
          device_id: S1.id,
          session_id: p.sessionId,
          kind,
          amount: p.amountFen,
          staff_id: FIXTURE.staff.S1,
        };
      }),
    );

    // Stock per store × SKU: S2 had no stock rows and gets them; the SKU HQ does not know moves nothing.
    const stock = await db.query<{ at: string; sku: string; qty: number; updated: string }>(
      `SELECT location_id AS at, sku, qty, sf_iso(updated_at) AS updated FROM stock WHERE qty <> 100 ORDER BY location_id, sku`,
    );
    expect(stock).toEqual([
      { at: 'S1', sku: skuCode(1), qty: 99, updated: NOW.toISOString() },
      { at: 'S1', sku: skuCode(3), qty: 98, updated: NOW.toISOString() },
      { at: 'S2', sku: skuCode(1), qty: -1, updated: NOW.toISOString() },
      { at: 'S2', sku: skuCode(4), qty: -1, updated: NOW.toISOString() },
    ]);
    // The audit event is only recorded; the customer book took the tag; nothing was refused.
    expect(await db.query(`SELECT customer_id, tag, source FROM customer_tag`)).toEqual([
      { customer_id: 'cus-1', tag: 'VIP', source: 'manual' },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM dead_letter`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM projection_queue`)).toEqual([{ n: 0 }]);
  });

  it('a batch of cash movements only is projected too', async () => {
    await recordPush(db, S1, request([cash('cash.paid_out', 800)]), NOW);
    expect(await projectAll(db, NOW)).toBe(1);
    expect(await db.query(`SELECT kind, amount_fen::int AS amount FROM cash_movement`)).toEqual([{ kind: 'paid_out', amount: 800 }]);
  });

  it('an event whose effects PostgreSQL refuses goes on the dead-letter list; the rest of its batch is projected', async () => {
    const a = saleEvent('S1', [1]);
    const b = saleEvent('S1', [2]);
    // b reuses a's line id: recorded (a fact), but its line cannot be written.
    payloadOf(b).lines[0]!.lineId = payloadOf(a).lines[0]!.lineId;
    const c = cashEvent('S1', 300);
    expect((await recordPush(db, S1, request([a, b, c]), NOW)).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await projectAll(db, NOW)).toBe(3);
    expect(await projected(db)).toMatchObject({ sales: 1, lines: 1, cash: 1, queued: 0, [skuCode(1)]: 99, [skuCode(2)]: 100 });
    const dead = await db.query<{ event_id: string; reason: string; message: string; type: string }>(
      `SELECT event_id::text AS event_id, reason, message, type FROM dead_letter`,
    );
    expect(dead).toEqual([
      {
        event_id: b.id,
        reason: 'projection',
        type: 'sale.completed',
        message: expect.stringMatching(/^recorded, but HQ could not apply its effects: ./),
      },
    ]);
  });

  it("a member's sale delivered to the projector again burns and credits its points once", async () => {
    await db.exec(
      `INSERT INTO customer (id, store_id, name, phone, tier, points, created_at) VALUES ('cus-1', 'S1', 'Zhao', '1', 'gold', 1000, now())`,
    );
    const s = saleEvent('S1', [1]);
    payloadOf(s).customerId = 'cus-1';
    payloadOf(s).points = { redeemed: 300, valueFen: 300, spentOffline: true, earned: 199 };
    await recordPush(db, S1, request([s, cashEvent('S1', 100)]), NOW);
    await projectAll(db, NOW);
    await db.query('INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM event');
    expect(await projectAll(db, NOW)).toBe(2);
    expect(await db.query(`SELECT points FROM customer`)).toEqual([{ points: 1000 - 300 + 199 }]);
  });

  it('the background projector takes the lock if it is free, and uses the payloads it was handed, reading back the others', async () => {
    const events = [saleEvent('S1', [1]), saleEvent('S1', [2]), cashEvent('S1', 100)];
    await recordPush(db, S1, request(events), NOW);
    const handed = new Map([[events[1]!.id, events[1]!.payload]]);
    const payloads = { take: (id: string) => handed.get(id) };
    expect(await db.tx((sql) => projectQueuedIn(sql, NOW, { wait: false, payloads }))).toBe(3);
    expect(await projected(db)).toMatchObject({ sales: 2, cash: 1, queued: 0, [skuCode(1)]: 99, [skuCode(2)]: 99 });
  });

  it.skipIf(backend.name === 'pglite')('the background projector gives up at once while another projector holds the lock', async () => {
    await recordPush(db, S1, request([saleEvent('S1', [1])]), NOW);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // Another projector's transaction holds the lock until released.
    const other = db.tx(async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock(5317, 13)');
      holding();
      await released;
    });
    await held;
    expect(await db.tx((sql) => projectQueuedIn(sql, NOW, { wait: false }))).toBe(0);
    release();
    await other;
    expect(await db.tx((sql) => projectQueuedIn(sql, NOW, { wait: false }))).toBe(1);
  });
});
