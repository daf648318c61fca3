import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import { payloadSchemaOf } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { applyPush, recordPush } from './apply-push.js';
import { applyDeferred } from './deferred.js';
import { projectAll } from '../projector/project-batch.js';
import { testBackends } from '../testing/backends.js';
import {
  FIXTURE,
  cashEvent,
  deviceOf,
  messages,
  outcome,
  receiptNoFor,
  saleEvent,
  saleEventFrom,
  skuCode,
} from '../testing/push-fixture.js';
import { useSeededHq } from '../testing/use-test-hq.js';

/**
 * What HQ checks of a pushed fact (issue "Money and sync correctness", items 5, 7 and 15): it is
 * judged as of when it happened, its arithmetic must add up, its receipt number and approver must
 * be the device's own store's, a return must fit what was sold — and a type HQ does not know yet
 * is kept and applied after an upgrade instead of being refused for good.
 */
const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');
const request = (events: PushRequest['events']): PushRequest => ({ deviceId: S1.id, storeId: 'S1', events });
const payloadOf = (e: OutboxEvent) => e.payload as SaleCompleted;

/** A copy of `event` whose sale payload is changed by `edit` (a fresh event id). */
function withSale(event: OutboxEvent, edit: (p: SaleCompleted) => void): OutboxEvent {
  const payload = structuredClone(payloadOf(event));
  edit(payload);
  return { ...event, id: saleEvent('S1', [1]).id, payload };
}

/** A return of `qty` units of the original's first line, refunding what they were paid. */
function returnOf(original: OutboxEvent, qty: number, refundFen: number): OutboxEvent {
  const sold = payloadOf(original);
  const line = sold.lines[0]!;
  return withSale(saleEvent('S1', [1]), (p) => {
    p.kind = 'return';
    p.originalSaleId = sold.saleId;
    p.lines = [{ ...line, lineId: `${p.saleId}-r`, qty: -qty, discountFen: 0, totalFen: -refundFen, originalLineId: line.lineId }];
    p.tenders = [{ method: 'cash', amountFen: -refundFen, reference: null, providerRef: null }];
    p.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen, netFen: -refundFen, changeFen: 0 };
  });
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('facts at HQ on $name', (backend) => {
  let db: HqDb;
  /** The first column of the first row, as a number (a count, a quantity). */
  const count = async (sql: string, params: unknown[] = []) =>
    Number(Object.values((await db.query<Record<string, unknown>>(sql, params))[0] ?? {})[0]);
  useSeededHq(backend, (opened) => (db = opened));
  beforeEach(async () => {
    await db.query(
      `INSERT INTO staff VALUES ('mg-1', 'S1', 'M1', 'Zhou', 'manager', true, 's', 'h'), ('mg-2', 'S2', 'M2', 'Qian', 'manager', true, 's', 'h')`,
    );
  });

  it('keeps a sale a cashier made offline before moving to another store, and refuses one made after the move', async () => {
    const before = saleEvent('S1', [1]);
    await db.query(`UPDATE staff SET store_id = 'S2' WHERE id = $1`, [FIXTURE.staff.S1]);
    const after = { ...saleEvent('S1', [2]), occurredAt: new Date(Date.now() + 60_000).toISOString() };
    const results = await applyPush(db, S1, request([before, after]), NOW);
    expect(outcome(results)).toEqual(['accepted', 'foreign_staff']);
    expect(results[1]).toMatchObject({ message: expect.stringContaining('when this happened') });
    expect(await count('SELECT count(*) FROM sale')).toBe(1);
  });

  it('keeps an event of a type it does not know yet, and applies it once an upgraded HQ knows the type', async () => {
    // An "older HQ" that does not know cash.paid_in yet; the device is newer.
    const older = (type: string) => (type === 'cash.paid_in' ? null : payloadSchemaOf(type));
    const newer = cashEvent('S1', 1234);
    expect(await applyPush(db, S1, request([newer]), NOW, older)).toEqual([
      { id: newer.id, status: 'deferred', message: 'HQ keeps it and applies it once it knows events of type cash.paid_in' },
    ]);
    expect(await count('SELECT count(*) FROM event WHERE deferred_at IS NOT NULL')).toBe(1);
    expect(await count('SELECT count(*) FROM cash_movement')).toBe(0);
    // Sent again before the upgrade: HQ has it.
    expect(outcome(await applyPush(db, S1, request([newer]), NOW, older))).toEqual(['duplicate']);
    // Still unknown at the next start: it waits.
    expect(await applyDeferred(db, NOW, () => undefined, older)).toEqual({ applied: 0, rejected: 0, waiting: 1 });
    // The upgraded HQ knows the type: applied once, exactly, and a later push of it is a duplicate.
    expect(await applyDeferred(db, NOW, () => undefined)).toEqual({ applied: 1, rejected: 0, waiting: 0 });
    expect(await applyDeferred(db, NOW, () => undefined)).toEqual({ applied: 0, rejected: 0, waiting: 0 });
    expect(await count('SELECT count(*) FROM cash_movement WHERE amount_fen = 1234')).toBe(1);
    expect(await count('SELECT count(*) FROM event WHERE deferred_at IS NOT NULL')).toBe(0);
    expect(outcome(await applyPush(db, S1, request([newer]), NOW))).toEqual(['duplicate']);
  });

  it('refuses a sale that does not add up, and writes nothing for it', async () => {
    const good = saleEvent('S1', [1, 2]);
    const broken = [
      withSale(good, (p) => (p.totals.netFen += 1)),
      withSale(good, (p) => (p.lines[0]!.totalFen -= 100)),
      withSale(good, (p) => (p.tenders[0]!.amountFen -= 100)),
      withSale(good, (p) => (p.lines[0]!.qty = 5000)),
      withSale(good, (p) => p.tenders.push({ method: 'card', amountFen: -500, reference: 'x', providerRef: null })),
      withSale(good, (p) => (p.kind = 'return')),
    ];
    const results = await applyPush(db, S1, request([good, ...broken]), NOW);
    expect(outcome(results)).toEqual(['accepted', ...broken.map(() => 'bad_payload')]);
    expect(results.slice(1).every((r) => r.status === 'rejected' && r.message.startsWith('the sale does not add up'))).toBe(true);
    expect(await count('SELECT count(*) FROM sale')).toBe(1);
  });

  it("refuses receipt numbers that are not this device's, and an approver who was not a manager of the store", async () => {
    const other = saleEvent('S1', [1], { receiptNo: receiptNoFor({ deviceId: FIXTURE.devices.S2, storeId: 'S2' }) });
    const otherDevice = saleEvent('S1', [1], { receiptNo: 'S001-0002-261120-0001' });
    const preEnrolment = saleEvent('S1', [1], { receiptNo: `S001-${S1.id.replace(/-/g, '').slice(-4).toUpperCase()}-261120-0007` });
    const approvedBy = (by: string) => ({
      ...cashEvent('S1', 100),
      type: 'cash.paid_out',
      payload: { ...(cashEvent('S1', 100).payload as object), approvedBy: by },
    });
    const results = await applyPush(
      db,
      S1,
      request([other, otherDevice, preEnrolment, approvedBy('mg-2'), approvedBy(FIXTURE.staff.S1), approvedBy('mg-1')]),
      NOW,
    );
    expect(outcome(results)).toEqual(['foreign_store', 'foreign_store', 'accepted', 'foreign_staff', 'foreign_staff', 'accepted']);
  });

  it('takes back only what a sale of this store sold, counting earlier returns, in push order', async () => {
    const sold = saleEvent('S1', [3], { qty: 2 });
    expect(outcome(await applyPush(db, S1, request([sold]), NOW))).toEqual(['accepted']);
    const one = 19_900;
    const results = await applyPush(
      db,
      S1,
      request([
        returnOf(sold, 1, one),
        returnOf(sold, 2, 2 * one),
        returnOf(sold, 1, one + 1),
        returnOf(sold, 1, one),
        returnOf(sold, 1, one),
      ]),
      NOW,
    );
    // 2 sold: the first unit back is fine; 2 more is too many; 1 at a fen more than it was worth is too much;
    // the last unit is fine; a third unit back is one too many.
    expect(outcome(results)).toEqual(['accepted', 'bad_payload', 'bad_payload', 'accepted', 'bad_payload']);
    const line = payloadOf(sold).lines[0]!.lineId;
    const saleId = payloadOf(sold).saleId;
    expect(messages(results)).toEqual([
      null,
      `2 units back on line ${line}, only 1 are left`,
      `refunds ${one + 1} of sale ${saleId}, only ${one} of its lines are left to refund`,
      null,
      `1 units back on line ${line}, only 0 are left`,
    ]);
    expect(await count('SELECT count(*) FROM sale WHERE original_sale_id IS NOT NULL')).toBe(2);
    expect(await count(`SELECT qty FROM stock WHERE location_id = 'S1' AND sku = $1`, [skuCode(3)])).toBe(100);

    // Another store's sale, and a sale HQ does not have, cannot be returned here.
    const s2 = saleEvent('S2', [1]);
    expect(outcome(await applyPush(db, deviceOf('S2'), { deviceId: FIXTURE.devices.S2, storeId: 'S2', events: [s2] }, NOW))).toEqual([
      'accepted',
    ]);
    const ghost = withSale(returnOf(sold, 1, one), (p) => (p.originalSaleId = 'sale-nobody-has'));
    const elsewhere = await applyPush(db, S1, request([returnOf(s2, 1, one), ghost]), NOW);
    expect(outcome(elsewhere)).toEqual(['foreign_store', 'bad_payload']);
    expect(messages(elsewhere)).toEqual([
      `the original sale ${payloadOf(s2).saleId} is of store S2`,
      'the original sale sale-nobody-has is not at HQ',
    ]);
  });
  it('counts returns HQ recorded in earlier pushes: units and money already taken back cannot be taken back again', async () => {
    const sold = saleEvent('S1', [3], { qty: 2 });
    await applyPush(db, S1, request([sold]), NOW);
    const one = 19_900;
    expect(outcome(await applyPush(db, S1, request([returnOf(sold, 1, one)]), NOW))).toEqual(['accepted']);
    const line = payloadOf(sold).lines[0]!.lineId;
    const later = await applyPush(db, S1, request([returnOf(sold, 2, 2 * one), returnOf(sold, 1, one + 1)]), NOW);
    expect(outcome(later)).toEqual(['bad_payload', 'bad_payload']);
    expect(messages(later)).toEqual([
      `2 units back on line ${line}, only 1 are left`,
      `refunds ${one + 1} of sale ${payloadOf(sold).saleId}, only ${one} of its lines are left to refund`,
    ]);
    expect(outcome(await applyPush(db, S1, request([returnOf(sold, 1, one)]), NOW))).toEqual(['accepted']);
  });

  it('refuses a return naming a line of another sale, and takes an exchange that sells and takes back', async () => {
    const a = saleEvent('S1', [1]);
    const b = saleEvent('S1', [2]);
    await applyPush(db, S1, request([a, b]), NOW);
    const foreignLine = withSale(returnOf(a, 1, 19_900), (p) => (p.lines[0]!.originalLineId = payloadOf(b).lines[0]!.lineId));
    const exchange = withSale(returnOf(a, 1, 19_900), (p) => {
      // Gives back a's unit and takes one of SKU 4 at the same price: nothing to pay.
      p.kind = 'exchange';
      p.lines.push({ ...payloadOf(a).lines[0]!, lineId: `${p.saleId}-x`, sku: skuCode(4), originalLineId: null });
      p.tenders = [];
      p.totals = { subtotalFen: 19_900, discountFen: 0, totalFen: 19_900, refundFen: 19_900, netFen: 0, changeFen: 0 };
    });
    const results = await applyPush(db, S1, request([foreignLine, exchange]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'accepted']);
    expect(messages(results)[0]).toBe(`line ${payloadOf(b).lines[0]!.lineId} is not a line of sale ${payloadOf(a).saleId}`);
    expect(await count(`SELECT qty FROM stock WHERE location_id = 'S1' AND sku = $1`, [skuCode(1)])).toBe(100);
    expect(await count(`SELECT qty FROM stock WHERE location_id = 'S1' AND sku = $1`, [skuCode(4)])).toBe(99);
  });

  it('says which staff member, approver or receipt number it refused, and keeps the first reason an event fails', async () => {
    const foreignCashier = saleEvent('S1', [1], { staffId: FIXTURE.staff.S2 });
    // The envelope names this store's cashier; the sale says another store's cashier rang it up.
    const ringUp = withSale(saleEvent('S1', [1]), (p) => (p.staffId = FIXTURE.staff.S2));
    const paidOut = { ...cashEvent('S1', 100), type: 'cash.paid_out' };
    (paidOut.payload as { approvedBy: string }).approvedBy = 'mg-2';
    const foreignReceipt = receiptNoFor({ deviceId: FIXTURE.devices.S2, storeId: 'S2' });
    // Both another store's cashier and receipt number: the staff check comes first.
    const both = saleEvent('S1', [1], { staffId: FIXTURE.staff.S2, receiptNo: foreignReceipt });
    const results = await applyPush(
      db,
      S1,
      request([foreignCashier, ringUp, paidOut, saleEvent('S1', [2], { receiptNo: foreignReceipt }), both]),
      NOW,
    );
    expect(outcome(results)).toEqual(['foreign_staff', 'foreign_staff', 'foreign_staff', 'foreign_store', 'foreign_staff']);
    const notOfS1 = `staff ${FIXTURE.staff.S2} was not of store S1 when this happened (2026-11-20T08:00:00.000Z)`;
    expect(messages(results)).toEqual([
      notOfS1,
      notOfS1,
      'mg-2, who approved it, was not a manager of store S1 then',
      `receipt number ${foreignReceipt} is not this device's (store S001, device 0001)`,
      notOfS1,
    ]);
    expect(await count('SELECT count(*) FROM event')).toBe(0);
  });

  it("takes receipt numbers with the device's enrolment code or its id's last four hex digits, and no others", async () => {
    const id = '01900000-0000-7000-8000-00000000abcd';
    await db.query(
      `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES ($1, 'S1', 'k9', '7', '1', 'h9')`,
      [id],
    );
    const till = { ...S1, id, receiptCode: '7' };
    const source = { deviceId: id, storeId: 'S1', staffId: FIXTURE.staff.S1 };
    const numbered = (device: string) => saleEventFrom(source, [skuCode(1)], { receiptNo: `S001-${device}-261120-0001` });
    const results = await applyPush(
      db,
      till,
      { deviceId: id, storeId: 'S1', events: [numbered('0007'), numbered('ABCD'), numbered('7000'), numbered('0001'), numbered('00AB')] },
      NOW,
    );
    expect(outcome(results)).toEqual(['accepted', 'accepted', 'foreign_store', 'foreign_store', 'foreign_store']);
    expect(messages(results)[2]).toBe("receipt number S001-7000-261120-0001 is not this device's (store S001, device 0007 or ABCD)");
  });

  it('refuses a NUL in the staff id, says where a payload is malformed, and takes events that name no staff', async () => {
    const nul = { ...cashEvent('S1', 100), staffId: 'st-\u00001' };
    const badLine = withSale(saleEvent('S1', [1]), (p) => (p.lines[0]!.qty = 1.5));
    const noStaff = { ...cashEvent('S1', 300), staffId: null };
    const results = await applyPush(db, S1, request([nul, badLine, noStaff]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'bad_payload', 'accepted']);
    expect(messages(results)[0]).toBe('the staff id contains a NUL character or an unpaired surrogate');
    expect(messages(results)[1]).toMatch(/^lines\.0\.qty: ./);
    expect(await count('SELECT count(*) FROM cash_movement WHERE amount_fen = 300 AND staff_id IS NULL')).toBe(1);
  });

  it('refuses a customer-book event that names no staff: a phone reveal nobody made could not be audited', async () => {
    const event = (type: string, payload: unknown) => ({ ...cashEvent('S1', 100), type, payload, staffId: null });
    const reveal = event('customer.phone_revealed', { customerId: 'cus-1', reason: 'call back', purpose: 'call' });
    const note = event('customer.note_added', { noteId: 'note-1', customerId: 'cus-1', body: 'x' });
    const results = await applyPush(db, S1, request([reveal, note]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'bad_payload']);
    expect(messages(results)[0]).toBe('a customer.phone_revealed event names the staff member who made it');
    expect(await count('SELECT count(*) FROM event')).toBe(0);
  });

  it('records a drawer opening whoever it names as approver: only events that move money are judged on it', async () => {
    const opened = {
      ...cashEvent('S1', 0),
      type: 'device.drawer_opened',
      payload: { reason: 'change', note: null, via: 'key', at: '2026-11-20T08:00:00.000Z', approvedBy: 'mg-2' },
    };
    expect(outcome(await applyPush(db, S1, request([opened]), NOW))).toEqual(['accepted']);
    expect(await count('SELECT count(*) FROM event')).toBe(1);
  });
  it('judges the staff an event names in its envelope: a cash movement by another store’s cashier is refused', async () => {
    const theirs = { ...cashEvent('S1', 100), staffId: FIXTURE.staff.S2 };
    const results = await applyPush(db, S1, request([theirs, cashEvent('S1', 200)]), NOW);
    expect(outcome(results)).toEqual(['foreign_staff', 'accepted']);
    expect(messages(results)[0]).toBe(`staff ${FIXTURE.staff.S2} was not of store S1 when this happened (2026-11-20T08:00:00.000Z)`);
  });

  it('names the first problem in a payload by its path, in the words of the payload schema', async () => {
    const payload = { id: 'c-1', sessionId: 'till-1', amountFen: 1.5, reason: 'float', approvedBy: null };
    const issue = payloadSchemaOf('cash.paid_in')!.safeParse(payload).error!.issues[0]!;
    const results = await applyPush(db, S1, request([{ ...cashEvent('S1', 1), payload }]), NOW);
    expect(outcome(results)).toEqual(['bad_payload']);
    expect(issue.message.length).toBeGreaterThan(0);
    expect(messages(results)[0]).toBe(`amountFen: ${issue.message}`);
  });

  it("judges each event by its own type's schema: a sale's payload under a cash movement's type is refused", async () => {
    const sale = payloadOf(saleEvent('S1', [1]));
    const results = await applyPush(db, S1, request([{ ...cashEvent('S1', 1), payload: sale }]), NOW);
    expect(outcome(results)).toEqual(['bad_payload']);
    expect(await count('SELECT count(*) FROM event')).toBe(0);
  });

  it("keeps a sale's receipt number and sale id where the unique indexes read them, and nothing of other types' payloads", async () => {
    const sale = saleEvent('S1', [1]);
    // A type this HQ does not know yet, whose payload happens to name a sale: recorded (deferred), never indexed as one.
    const unknown = { ...cashEvent('S1', 1), type: 'loyalty.sale_linked', payload: { saleId: 'x-1', receiptNo: 'S001-0001-261120-0009' } };
    expect(outcome(await recordPush(db, S1, request([sale, unknown]), NOW))).toEqual(['accepted', 'deferred']);
    const rows = await db.query<{ type: string; payload: unknown; body_text: string; whole: unknown }>(
      'SELECT type, payload, body_text, sf_event_payload(e) AS whole FROM event e ORDER BY hq_seq',
    );
    const { receiptNo, saleId } = payloadOf(sale);
    expect(rows).toEqual([
      { type: 'sale.completed', payload: { receiptNo, saleId }, body_text: JSON.stringify(sale.payload), whole: sale.payload },
      { type: 'loyalty.sale_linked', payload: {}, body_text: JSON.stringify(unknown.payload), whole: unknown.payload },
    ]);
  });

  it('records any text a payload holds as it was checked, and refuses only what PostgreSQL cannot store: a NUL or an unpaired surrogate', async () => {
    const withReason = (reason: string) => ({
      ...cashEvent('S1', 5),
      payload: { id: `c-${reason.length}-${reason.codePointAt(0)}`, sessionId: 't', amountFen: 5, reason, approvedBy: null },
    });
    const kept = [
      // Text that looks like the escapes but is not: a backslash, then "u0000"; two backslashes, then "ud800".
      withReason('\\u0000 typed by hand'),
      withReason('\\\\ud800 too'),
      withReason('换季 "清仓" 👗 tab\t newline\n \u0001'),
      withReason(''),
    ];
    const refused = [withReason('nul \u0000 byte'), withReason('lone \ud800 high'), withReason('lone \udfff low'), withReason('\\\u0000')];
    // The envelope's own text too, of a type HQ does not know yet (recorded, not checked by a schema): refused, not stored altered.
    const unknownType = (patch: Partial<OutboxEvent>) => ({ ...cashEvent('S1', 6), type: 'loyalty.sale_linked', ...patch });
    const envelopes = [
      unknownType({ staffId: 'stf-\ud800' }),
      unknownType({ type: 'loyalty.\udc00' }),
      unknownType({ staffId: 'stf-\u0000' }),
    ];
    // An event with no payload at all (of a type HQ does not check yet): kept as JSON null, which is how it reads back.
    const bare = unknownType({ payload: undefined });
    const results = await recordPush(db, S1, request([...kept, ...refused, ...envelopes, bare]), NOW);
    expect(outcome(results)).toEqual([...kept.map(() => 'accepted'), ...[...refused, ...envelopes].map(() => 'bad_payload'), 'deferred']);
    expect(messages(results).slice(-4, -1)).toEqual([
      'the staff id contains a NUL character or an unpaired surrogate',
      'the type contains a NUL character or an unpaired surrogate',
      'the staff id contains a NUL character or an unpaired surrogate',
    ]);
    expect(results[kept.length + refused.length - 1]).toMatchObject({
      message: expect.stringMatching(/NUL character or an unpaired surrogate/),
    });
    const rows = await db.query<{ id: string; body_text: string; whole: unknown }>(
      'SELECT e.id::text AS id, body_text, sf_event_payload(e) AS whole FROM event e ORDER BY hq_seq',
    );
    expect(rows).toEqual([
      ...kept.map((e) => ({ id: e.id, body_text: JSON.stringify(e.payload), whole: e.payload })),
      { id: bare.id, body_text: 'null', whole: null },
    ]);
  });

  it('refuses alone an event whose payload names staff or a sale with a NUL, and records the rest of the push', async () => {
    const sale = withSale(saleEvent('S1', [1]), (p) => (p.staffId = 'st-\u00001'));
    const approved = {
      ...cashEvent('S1', 100),
      payload: { id: 'c-nul', sessionId: 't', amountFen: 100, reason: 'float', approvedBy: 'mg-\u0000' },
    };
    const back = withSale(returnOf(saleEvent('S1', [1]), 1, 19900), (p) => (p.originalSaleId = 'sale-\u0000'));
    const good = cashEvent('S1', 200);
    const results = await recordPush(db, S1, request([sale, approved, back, good]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'bad_payload', 'bad_payload', 'accepted']);
    expect(await count('SELECT count(*) FROM event')).toBe(1);
  });

  it('refuses alone an event dated in year 0, which the ISO form allows and PostgreSQL has not', async () => {
    const ancient = { ...cashEvent('S1', 100), occurredAt: '0000-12-31T23:59:59.000Z' };
    const good = cashEvent('S1', 200);
    const results = await recordPush(db, S1, request([ancient, good]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'accepted']);
    expect(await count('SELECT count(*) FROM event')).toBe(1);
  });

  it('refuses alone a sale whose business day or time is in year 0: not accepted and then refused by the projector', async () => {
    const day = withSale(saleEvent('S1', [1]), (p) => (p.businessDay = '0000-12-31'));
    const time = withSale(saleEvent('S1', [1]), (p) => (p.createdAt = '0000-12-31T23:59:59.000Z'));
    const good = saleEvent('S1', [1]);
    const results = await recordPush(db, S1, request([day, time, good]), NOW);
    expect(results.map((r) => (r.status === 'rejected' ? [r.reason, r.message] : [r.status]))).toEqual([
      ['bad_payload', 'businessDay: the year 0000 is before the year 1, which HQ cannot store'],
      ['bad_payload', 'createdAt: the year 0000 is before the year 1, which HQ cannot store'],
      ['accepted'],
    ]);
    await projectAll(db, NOW);
    expect(await count('SELECT count(*) FROM sale')).toBe(1);
    expect(await count('SELECT count(*) FROM dead_letter')).toBe(0);
  });

  it('projects what is queued before it checks a return: a return pushed right after its sale finds it', async () => {
    const sold = saleEvent('S1', [3], { qty: 2 });
    expect(outcome(await recordPush(db, S1, request([sold]), NOW))).toEqual(['accepted']);
    expect(await count('SELECT count(*) FROM sale')).toBe(0);
    // A sale beside the return: one return in the push is enough.
    const results = await recordPush(db, S1, request([saleEvent('S1', [1]), returnOf(sold, 1, 19_900)]), NOW);
    expect(outcome(results)).toEqual(['accepted', 'accepted']);
    // The sale before the push was projected for the check; this push's two wait for the projector.
    expect(await count('SELECT count(*) FROM sale')).toBe(1);
    expect(await count('SELECT count(*) FROM projection_queue')).toBe(2);
  });

  it('takes a return of a sale earlier in the same push (a till offline all day), not of one later in it or refused', async () => {
    const sold = saleEvent('S1', [3], { qty: 2 });
    const back = returnOf(sold, 1, 19_900);
    // Sold and taken back on a till offline all day: one push.
    expect(outcome(await recordPush(db, S1, request([sold, back]), NOW))).toEqual(['accepted', 'accepted']);
    // Its second unit once more, and a third that was never sold: only what is left of the line.
    const third = returnOf(sold, 1, 19_900);
    const fourth = returnOf(sold, 1, 19_900);
    expect(outcome(await recordPush(db, S1, request([third, fourth]), NOW))).toEqual(['accepted', 'bad_payload']);
    // A return before its sale in the push, and a return of a sale the same push refused: their sale is not there for them.
    const later = saleEvent('S1', [4]);
    const refused = withSale(saleEvent('S1', [5]), (p) => (p.receiptNo = 'X999-0000000000-0001'));
    const results = await recordPush(db, S1, request([returnOf(later, 1, 19_900), later, refused, returnOf(refused, 1, 19_900)]), NOW);
    expect(outcome(results)).toEqual(['bad_payload', 'accepted', 'bad_payload', 'bad_payload']);
    expect(messages(results)[0]).toContain('is not at HQ');
    expect(messages(results)[3]).toContain('is not at HQ');
  });

  it('refuses a return of a sale of the same push that HQ refused when recording it, and keeps nothing of it', async () => {
    const first = saleEvent('S1', [3], { qty: 2 });
    expect(outcome(await recordPush(db, S1, request([first]), NOW))).toEqual(['accepted']);
    // The receipt number of `first` again (a till restored from a backup): the checks pass it, the insert refuses it.
    const clash = withSale(saleEvent('S1', [4], { qty: 2 }), (p) => (p.receiptNo = payloadOf(first).receiptNo));
    // A payload PostgreSQL cannot store (an unpaired surrogate), refused before the facts are checked.
    const unstorable = withSale(saleEvent('S1', [5]), (p) => (p.customerId = 'cus-\ud800'));
    const backOfUnstorable = returnOf(unstorable, 1, 19_900);
    payloadOf(backOfUnstorable).customerId = null;
    const results = await applyPush(db, S1, request([clash, returnOf(clash, 1, 19_900), unstorable, backOfUnstorable]), NOW);
    expect(outcome(results)).toEqual(['conflict', 'bad_payload', 'bad_payload', 'bad_payload']);
    expect(messages(results)[1]).toContain('was refused in this push');
    expect(messages(results)[2]).toContain('HQ cannot store');
    expect(messages(results)[3]).toContain('is not at HQ');
    expect(await count(`SELECT count(*) FROM sale WHERE kind = 'return'`)).toBe(0);
  });

  it('judges the copy of an event it records when a push carries its id twice', async () => {
    const sold = saleEvent('S1', [3], { qty: 2 });
    expect(outcome(await applyPush(db, S1, request([sold]), NOW))).toEqual(['accepted']);
    const unit = payloadOf(sold).lines[0]!.unitFen;
    // The first copy takes back more units and money than were sold; a second under its id, one unit.
    const big = returnOf(sold, 5, 5 * unit);
    const small = { ...returnOf(sold, 1, unit), id: big.id };
    expect(outcome(await applyPush(db, S1, request([big, small]), NOW))).toEqual(['bad_payload', 'bad_payload']);
    expect(await count(`SELECT count(*) FROM sale WHERE kind = 'return'`)).toBe(0);
  });

  it('keeps a paid-out approved offline by the store’s manager then, though HQ has made them a cashier since', async () => {
    const paidOut: OutboxEvent = { ...cashEvent('S1', 5000), type: 'cash.paid_out', occurredAt: '2026-11-20T08:00:00.000Z' };
    (paidOut.payload as { approvedBy: string | null }).approvedBy = 'mg-1';
    await db.query(`UPDATE staff SET role = 'cashier' WHERE id = 'mg-1'`);
    expect(outcome(await recordPush(db, S1, request([paidOut]), NOW))).toEqual(['accepted']);
    // HQ's clock drew the line at the change (its now(), past this test's NOW): an approval from after it is refused.
    const [{ since = '' } = {}] = await db.query<{ since: string }>(
      `SELECT valid_from::text AS since FROM staff_assignment WHERE staff_id = 'mg-1' AND valid_to IS NULL`,
    );
    const after: OutboxEvent = {
      ...cashEvent('S1', 5000),
      type: 'cash.paid_out',
      occurredAt: new Date(Date.parse(since) + 1000).toISOString(),
    };
    (after.payload as { approvedBy: string | null }).approvedBy = 'mg-1';
    expect(outcome(await recordPush(db, S1, request([after]), NOW))).toEqual(['foreign_staff']);
  });

  it('a push with no return records its events and leaves what is queued to the projector', async () => {
    await recordPush(db, S1, request([saleEvent('S1', [1])]), NOW);
    await recordPush(db, S1, request([saleEvent('S1', [2]), cashEvent('S1', 100)]), NOW);
    expect(await count('SELECT count(*) FROM projection_queue')).toBe(3);
    expect(await count('SELECT count(*) FROM sale')).toBe(0);
  });
});
