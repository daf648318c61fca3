import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { payloadSchemaOf } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { HqHttpError } from '../http-error.js';
import { PROJECT_CHANNEL } from '../projector/projector.js';
import { applyPush, recordPush } from './apply-push.js';
import { testBackends } from '../testing/backends.js';
import { FIXTURE, cashEvent, deviceOf, messages, outcome, receiptNoFor, saleEvent, skuCode } from '../testing/push-fixture.js';
import { useSeededHq } from '../testing/use-test-hq.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');

function request(events: PushRequest['events']): PushRequest {
  return { deviceId: S1.id, storeId: 'S1', events };
}

async function count(db: HqDb, table: string): Promise<number> {
  const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

async function stockOf(db: HqDb, n: number): Promise<number> {
  const [row] = await db.query<{ qty: number }>(`SELECT qty FROM stock WHERE location_id = 'S1' AND sku = $1`, [skuCode(n)]);
  return row?.qty ?? Number.NaN;
}

/**
 * A statement trigger on `event` that fails every insert with SQLSTATE `batch` when it holds more
 * than one row, else with `single` (P0001 is a plpgsql error, not the data's): its message
 * `message`, its detail `detail` if any.
 */
async function failEventInserts(
  db: HqDb,
  codes: { batch: string; single: string; message?: string; detail?: string | null },
): Promise<void> {
  const message = codes.message ?? 'test: the event refused';
  const detail = codes.detail === undefined ? 'test detail' : codes.detail;
  await db.exec(`
    CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM inserted) > 1 THEN
        RAISE EXCEPTION 'test: the batch refused' USING ERRCODE = '${codes.batch}', DETAIL = 'test detail';
      END IF;
      RAISE EXCEPTION '${message}' USING ERRCODE = '${codes.single}'${detail === null ? '' : `, DETAIL = '${detail}'`};
    END $$;
    DROP TRIGGER IF EXISTS test_fail ON event;
    CREATE TRIGGER test_fail AFTER INSERT ON event REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION test_fail();`);
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('push on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));

  it('records sales and cash once: the same batch again is all duplicates and moves nothing', async () => {
    const events = [saleEvent('S1', [1, 2]), saleEvent('S1', [1], { qty: 3 }), cashEvent('S1', 5000), saleEvent('S1', [2], { qty: -1 })];
    const first = await applyPush(db, S1, request(events), NOW);
    expect(first.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(await stockOf(db, 1)).toBe(96);
    expect(await stockOf(db, 2)).toBe(100);
    const again = await applyPush(db, S1, request(events), NOW);
    expect(again).toEqual(events.map((e) => ({ id: e.id, status: 'duplicate' })));
    expect(await count(db, 'event')).toBe(4);
    expect(await count(db, 'sale')).toBe(3);
    expect(await count(db, 'sale_line')).toBe(4);
    expect(await count(db, 'sale_tender')).toBe(3);
    expect(await count(db, 'cash_movement')).toBe(1);
    expect(await stockOf(db, 1)).toBe(96);
    const [sum] = await db.query<{ fen: string }>('SELECT sum(net_fen) AS fen FROM sale');
    expect(Number(sum?.fen)).toBe(19900 * 2 + 19900 * 3 - 19900);
  });

  it('a batch of known and new events applies only the new ones: sales, lines, tenders, stock and cash', async () => {
    const known = [saleEvent('S1', [1, 2]), cashEvent('S1', 300)];
    await applyPush(db, S1, request(known), NOW);
    const fresh = [saleEvent('S1', [1], { qty: 2 }), cashEvent('S1', 700), saleEvent('S1', [3], { qty: -1 })];
    const results = await applyPush(db, S1, request([fresh[0]!, known[0]!, fresh[1]!, known[1]!, fresh[2]!]), NOW);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'accepted', 'duplicate', 'accepted']);
    expect(await count(db, 'sale')).toBe(3);
    expect(await count(db, 'sale_line')).toBe(4);
    expect(await count(db, 'sale_tender')).toBe(3);
    expect(await stockOf(db, 1)).toBe(97);
    expect(await stockOf(db, 2)).toBe(99);
    expect(await stockOf(db, 3)).toBe(101);
    const cash = await db.query<{ kind: string; amount_fen: string; staff_id: string }>(
      'SELECT kind, amount_fen, staff_id FROM cash_movement ORDER BY amount_fen',
    );
    expect(cash.map((c) => [c.kind, Number(c.amount_fen), c.staff_id])).toEqual([
      ['paid_in', 300, FIXTURE.staff.S1],
      ['paid_in', 700, FIXTURE.staff.S1],
    ]);
    const payload = fresh[2]!.payload as { saleId: string; receiptNo: string };
    const [sale] = await db.query<Record<string, unknown>>(
      `SELECT event_id::text AS event_id, receipt_no, kind, store_id, device_id::text AS device_id, staff_id, customer_id, business_day::text AS day, total_fen, net_fen, offline, created_at, received_at FROM sale WHERE id = $1`,
      [payload.saleId],
    );
    expect(sale).toMatchObject({
      event_id: fresh[2]!.id,
      receipt_no: payload.receiptNo,
      kind: 'return',
      store_id: 'S1',
      device_id: S1.id,
      staff_id: FIXTURE.staff.S1,
      customer_id: null,
      day: '2026-11-20',
      offline: true,
    });
    // A return sells nothing (total 0) and pays the line back (net −199 yuan), as the till writes it.
    expect([Number(sale?.total_fen), Number(sale?.net_fen)]).toEqual([0, -19900]);
    expect((sale?.received_at as Date).toISOString()).toBe(NOW.toISOString());
    const [tender] = await db.query<{ n: number; method: string; amount_fen: string; reference: string | null }>(
      'SELECT n, method, amount_fen, reference FROM sale_tender WHERE sale_id = $1',
      [payload.saleId],
    );
    expect(tender).toMatchObject({ n: 1, method: 'cash', reference: null });
    expect(Number(tender?.amount_fen)).toBe(-19900);
  });

  it("keeps the device's clock as occurred_at, HQ's as received_at, and orders by hq_seq", async () => {
    const events = [saleEvent('S1', [1]), cashEvent('S1', 100)];
    await applyPush(db, S1, request(events), NOW);
    const rows = await db.query<{ id: string; occurred_at: Date; received_at: Date }>(
      'SELECT id::text AS id, occurred_at, received_at FROM event ORDER BY hq_seq',
    );
    expect(rows.map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(rows[0]?.occurred_at.toISOString()).toBe('2026-11-20T08:00:00.000Z');
    expect(rows[0]?.received_at.toISOString()).toBe(NOW.toISOString());
  });

  it('the store sees its new stock in its change feed', async () => {
    await applyPush(db, S1, request([saleEvent('S1', [4], { qty: 2 })]), NOW);
    const rows = await db.query<{ row: unknown[] }>("SELECT row FROM change WHERE scope = 'store:S1' AND kind = 'stock' AND key = $1", [
      `S1|${skuCode(4)}`,
    ]);
    expect(rows[0]?.row.slice(0, 3)).toEqual(['S1', skuCode(4), 98]);
  });

  it('rejects foreign store, foreign staff and bad payloads, writing nothing for them', async () => {
    const good = saleEvent('S1', [1]);
    const foreignStore = { ...saleEvent('S1', [1]), storeId: 'S2' };
    const foreignStaff = saleEvent('S1', [1], { staffId: FIXTURE.staff.S2 });
    const badPayload = { ...cashEvent('S1', 1), payload: { id: 'x', amountFen: 1.5 } };
    const results = await applyPush(db, S1, request([good, foreignStore, foreignStaff, badPayload]), NOW);
    expect(outcome(results)).toEqual(['accepted', 'foreign_store', 'foreign_staff', 'bad_payload']);
    expect(results[1]).toMatchObject({ message: 'the event is for store S2, this device is of S1' });
    // The first problem zod finds, named by its path.
    expect(results[3]).toMatchObject({ message: expect.stringMatching(/^sessionId: ./) });
    expect(await count(db, 'event')).toBe(1);
    expect(await count(db, 'sale')).toBe(1);
    expect(await count(db, 'cash_movement')).toBe(0);
    expect(await stockOf(db, 1)).toBe(99);
  });

  it('falls back to one event at a time: a receipt-number conflict rejects that sale only', async () => {
    const taken = receiptNoFor({ deviceId: FIXTURE.devices.S1, storeId: 'S1' });
    const before = saleEvent('S1', [1], { receiptNo: taken });
    await applyPush(db, S1, request([before]), NOW);
    const clash = saleEvent('S1', [2], { receiptNo: taken });
    const nul = { ...cashEvent('S1', 7), payload: { id: 'c', sessionId: 't', amountFen: 7, reason: 'bad \u0000 byte', approvedBy: null } };
    const others = [saleEvent('S1', [3]), cashEvent('S1', 10)];
    const results = await applyPush(db, S1, request([others[0]!, clash, nul, others[1]!]), NOW);
    expect(outcome(results)).toEqual(['accepted', 'conflict', 'bad_payload', 'accepted']);
    // PostgreSQL's own words, with the key it found taken.
    expect(results[1]).toMatchObject({
      message: expect.stringMatching(
        new RegExp(`^duplicate key value violates unique constraint "\\w+" \\(Key .*=\\(.*${taken}.*\\) already exists\\.\\)$`),
      ),
    });
    expect(await count(db, 'event')).toBe(3);
    expect(await count(db, 'sale')).toBe(2);
    expect(await count(db, 'cash_movement')).toBe(1);
    expect(await stockOf(db, 2)).toBe(100);
    expect(await stockOf(db, 3)).toBe(99);
  });

  it('an event HQ already has is a duplicate, even if it would be rejected today', async () => {
    const sale = saleEvent('S1', [1]);
    await applyPush(db, S1, request([sale]), NOW);
    await db.query("UPDATE staff SET store_id = 'S2' WHERE id = $1", [FIXTURE.staff.S1]);
    expect(await applyPush(db, S1, request([sale]), NOW)).toEqual([{ id: sale.id, status: 'duplicate' }]);
    // An HQ whose schema for cash movements has since grown stricter refuses the same event as sent
    // today, yet still answers it a duplicate: the device must not dead-letter what HQ recorded.
    const cash = cashEvent('S1', 500);
    expect(outcome(await recordPush(db, S1, request([cash]), NOW))).toEqual(['accepted']);
    const stricter = (type: string) => (type === 'cash.paid_in' ? z.object({ since: z.string() }) : payloadSchemaOf(type));
    const fresh = cashEvent('S1', 600);
    expect(outcome(await recordPush(db, S1, request([cash, fresh]), NOW, stricter))).toEqual(['duplicate', 'bad_payload']);
  });

  it("wakes every HQ process's projector when it records an event to project, and only then", async () => {
    const heard: string[] = [];
    const stop = await db.listen(PROJECT_CHANNEL, (payload) => heard.push(payload));
    try {
      const sale = saleEvent('S1', [1]);
      const unknown = (n: number) => ({ ...cashEvent('S1', n), type: 'loyalty.points_gifted' });
      // A sale beside an event of a type HQ does not know yet (kept, not projected): the projector is woken.
      expect(outcome(await recordPush(db, S1, request([sale, unknown(1)]), NOW))).toEqual(['accepted', 'deferred']);
      await vi.waitFor(() => expect(heard).toEqual(['']), { timeout: 5000 });
      // Nothing to project: a duplicate, an event kept for later, a refused one.
      expect(outcome(await recordPush(db, S1, request([sale]), NOW))).toEqual(['duplicate']);
      expect(outcome(await recordPush(db, S1, request([unknown(2)]), NOW))).toEqual(['deferred']);
      expect(outcome(await recordPush(db, S1, request([saleEvent('S1', [1], { staffId: FIXTURE.staff.S2 })]), NOW))).toEqual([
        'foreign_staff',
      ]);
      // Notifications arrive in commit order: once this one is heard, none of the pushes above sent one.
      await db.query("SELECT pg_notify($1, 'after')", [PROJECT_CHANNEL]);
      await vi.waitFor(() => expect(heard).toEqual(['', 'after']), { timeout: 5000 });
    } finally {
      await stop();
    }
  });

  it("fails the push on an error that is not its events' (a trigger's), rejecting none: the device sends them again", async () => {
    const events = [saleEvent('S1', [1]), cashEvent('S1', 100)];
    try {
      // The batch's insert fails so.
      await failEventInserts(db, { batch: 'P0001', single: 'P0001' });
      await expect(recordPush(db, S1, request(events), NOW)).rejects.toThrow('test: the batch refused');
      // The batch's insert fails with a data error, and then one event's on its own fails so.
      await failEventInserts(db, { batch: '22023', single: 'P0001' });
      await expect(recordPush(db, S1, request(events), NOW)).rejects.toThrow('test: the event refused');
    } finally {
      await db.exec('DROP TRIGGER IF EXISTS test_fail ON event; DROP FUNCTION IF EXISTS test_fail()');
    }
    expect(await count(db, 'event')).toBe(0);
    expect(outcome(await applyPush(db, S1, request(events), NOW))).toEqual(['accepted', 'accepted']);
  });

  it("rejects an event PostgreSQL refuses with a data error, in PostgreSQL's words", async () => {
    const events = [saleEvent('S1', [1]), cashEvent('S1', 100)];
    try {
      // A value out of range or malformed (class 22): its message.
      await failEventInserts(db, { batch: '22023', single: '22023' });
      expect(await recordPush(db, S1, request(events), NOW)).toEqual(
        events.map((e) => ({ id: e.id, status: 'rejected', reason: 'bad_payload', message: 'test: the event refused' })),
      );
      // A constraint other than a unique one (class 23): its message and detail, if it has one.
      await failEventInserts(db, { batch: '22023', single: '23514' });
      expect(await recordPush(db, S1, request(events), NOW)).toEqual(
        events.map((e) => ({ id: e.id, status: 'rejected', reason: 'bad_payload', message: 'test: the event refused (test detail)' })),
      );
      await failEventInserts(db, { batch: '22023', single: '23514', detail: null });
      expect(messages(await recordPush(db, S1, request(events), NOW))).toEqual(['test: the event refused', 'test: the event refused']);
      // At most 500 characters of it, whichever the class.
      for (const single of ['22023', '23514']) {
        await failEventInserts(db, { batch: '22023', single, message: 'x'.repeat(600) });
        expect(messages(await recordPush(db, S1, request(events), NOW))).toEqual(['x'.repeat(500), 'x'.repeat(500)]);
      }
    } finally {
      await db.exec('DROP TRIGGER IF EXISTS test_fail ON event; DROP FUNCTION IF EXISTS test_fail()');
    }
    expect(await count(db, 'event')).toBe(0);
  });

  it('the same event twice in one request counts once', async () => {
    const sale = saleEvent('S1', [1]);
    const results = await applyPush(db, S1, request([sale, sale]), NOW);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    expect(await stockOf(db, 1)).toBe(99);
  });

  it("refuses the whole push for another device's envelope or events, writing nothing", async () => {
    const mine = saleEvent('S1', [1]);
    const envelope = { status: 403, code: 'forbidden', message: 'a device pushes only its own events, for its own store' };
    await expect(applyPush(db, S1, { ...request([mine]), storeId: 'S2' }, NOW)).rejects.toThrow(HqHttpError);
    await expect(applyPush(db, S1, { ...request([mine]), storeId: 'S2' }, NOW)).rejects.toMatchObject(envelope);
    await expect(applyPush(db, S1, { ...request([mine]), deviceId: FIXTURE.devices.S2 }, NOW)).rejects.toThrow(HqHttpError);
    await expect(applyPush(db, S1, { ...request([mine]), deviceId: FIXTURE.devices.S2 }, NOW)).rejects.toMatchObject(envelope);
    const theirs = { ...saleEvent('S1', [2]), deviceId: FIXTURE.devices.S2 };
    await expect(applyPush(db, S1, request([mine, theirs]), NOW)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
      message: `event ${theirs.id} names another device`,
    });
    expect(await count(db, 'event')).toBe(0);
  });

  it('concurrent overlapping pushes apply each event once', async () => {
    const events = Array.from({ length: 60 }, (_, i) => saleEvent('S1', [1 + (i % 5)]));
    const a = applyPush(db, S1, request(events.slice(0, 40)), NOW);
    const b = applyPush(db, S1, request(events.slice(20)), NOW);
    const c = applyPush(db, S1, request(events.slice(10, 50)), NOW);
    const all = (await Promise.all([a, b, c])).flat();
    const accepted = all.filter((r) => r.status === 'accepted').map((r) => r.id);
    expect(new Set(accepted).size).toBe(60);
    expect(accepted.length).toBe(60);
    expect(all.every((r) => r.status !== 'rejected')).toBe(true);
    expect(await count(db, 'sale')).toBe(60);
    for (let n = 1; n <= 5; n++) expect(await stockOf(db, n)).toBe(88);
  });
});
