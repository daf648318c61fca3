import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { AuthedDevice } from '../context.js';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { eventId, saleEventFrom } from '../testing/push-fixture.js';
import { openTestHqDb, TEST_STORE } from '../testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';
import { applyCustomerBook, applyCustomerBookSafely, isCustomerBookEvent } from './apply-customer-events.js';
import { customerMetrics } from './metrics.js';

// The customer book's effects of a device's recorded events, as the projector applies them (in
// its transaction), on the sample brand: each event kind's row, only for the device's own store's
// customers and tasks, exactly once, and a refused effect on the dead-letter list.

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-06-10T04:00:00.000Z');
const AT = '2026-06-10T03:30:00.000Z';

describe.each(backends)('the customer book’s events at HQ on $name', (backend) => {
  let db: HqDb;
  let device: AuthedDevice;
  let guide: string;
  let other: string;
  let mine: string[];
  let theirs: string;

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), customers: 20 });
    const id = eventId();
    await db.query(
      `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES ($1, $2, 'k', 'CB', 't', 'h')`,
      [id, TEST_STORE],
    );
    device = { id, storeId: TEST_STORE, brand: 'SFL', receiptCode: 'CB', scopes: [] };
    const guides = await db.query<{ id: string }>(`SELECT id FROM staff WHERE store_id = $1 AND role = 'guide' AND active ORDER BY id`, [
      TEST_STORE,
    ]);
    [guide, other] = [guides[0]!.id, guides[1]!.id];
    mine = (await db.query<{ id: string }>('SELECT id FROM customer WHERE store_id = $1 ORDER BY id LIMIT 4', [TEST_STORE])).map(
      (c) => c.id,
    );
    theirs = (await db.query<{ id: string }>('SELECT id FROM customer WHERE store_id <> $1 ORDER BY id LIMIT 1', [TEST_STORE]))[0]!.id;
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await db?.close();
  });

  const event = (type: string, payload: unknown, staffId: string | null = guide): OutboxEvent => ({
    id: eventId(),
    type,
    staffId,
    deviceId: device.id,
    storeId: TEST_STORE,
    occurredAt: AT,
    payload,
  });
  const apply = (events: OutboxEvent[]) => db.tx((sql) => applyCustomerBookSafely(sql, device, events, NOW));
  const rows = <T>(text: string, params: unknown[] = []) => db.query<T>(text, params);
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const task = async (customerId: string, storeId = TEST_STORE, status = 'open') => {
    const id = eventId();
    await db.query(
      `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, due_at, status, created_at)
       VALUES ($1, $2, $3, $4, 'follow_up', '回访', 'Follow up', '你好', 'Hello', $5, $6, $5)`,
      [id, storeId, guide, customerId, NOW, status],
    );
    return id;
  };
  const tasksDone = async (staffId: string) =>
    (await rows<{ n: number }>('SELECT coalesce(sum(tasks_done), 0)::int AS n FROM guide_result WHERE staff_id = $1', [staffId]))[0]!.n;

  it('knows its event kinds and no others', () => {
    for (const type of ['customer.bind_requested', 'customer.note_added', 'customer.task_snoozed', 'customer.phone_revealed']) {
      expect(isCustomerBookEvent(type)).toBe(true);
    }
    for (const type of ['sale.completed', 'cash.paid_in', 'customer.unknown', 'toString', 'constructor', '']) {
      expect(isCustomerBookEvent(type)).toBe(false);
    }
  });

  it('records a note on the store’s own customer once, by the event’s staff at its time, and none on another store’s', async () => {
    const note = event('customer.note_added', { noteId: 'note-1', customerId: mine[0], body: 'Prefers navy' });
    await apply([note, { ...note, id: eventId() }]);
    await apply([event('customer.note_added', { noteId: 'note-2', customerId: theirs, body: 'Not ours' })]);
    const notes = await rows<{ id: string; customer_id: string; store_id: string; staff_id: string; body: string; created_at: Date }>(
      `SELECT id, customer_id, store_id, staff_id, body, created_at FROM customer_note WHERE id IN ('note-1', 'note-2')`,
    );
    expect(notes.map((n) => ({ ...n, created_at: iso(n.created_at) }))).toEqual([
      { id: 'note-1', customer_id: mine[0], store_id: TEST_STORE, staff_id: guide, body: 'Prefers navy', created_at: AT },
    ]);
  });

  it('adds a manual tag and removes only a manual one of the store’s own customer', async () => {
    await apply([
      event('customer.tag_added', { customerId: mine[1], tag: 'VIP' }),
      event('customer.tag_added', { customerId: theirs, tag: 'VIP' }),
    ]);
    const tags = async (customerId: string) =>
      (
        await rows<{ tag: string; store_id: string; source: string; added_by: string | null; added_at: Date }>(
          `SELECT tag, store_id, source, added_by, added_at FROM customer_tag WHERE customer_id = $1 AND tag IN ('VIP', 'auto-one') ORDER BY tag`,
          [customerId],
        )
      ).map((t) => ({ ...t, added_at: iso(t.added_at) }));
    expect(await tags(mine[1]!)).toEqual([{ tag: 'VIP', store_id: TEST_STORE, source: 'manual', added_by: guide, added_at: AT }]);
    expect(await tags(theirs)).toEqual([]);

    // An automatic tag of the same name is HQ's: a guide's removal leaves it.
    await db.query(`INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES ($1, 'auto-one', $2, 'auto', $3)`, [
      mine[1],
      TEST_STORE,
      NOW,
    ]);
    await db.query(
      `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) SELECT id, 'VIP', store_id, 'manual', $2 FROM customer WHERE id = $1`,
      [theirs, NOW],
    );
    await apply([
      event('customer.tag_removed', { customerId: mine[1], tag: 'VIP' }),
      event('customer.tag_removed', { customerId: mine[1], tag: 'auto-one' }),
      event('customer.tag_removed', { customerId: theirs, tag: 'VIP' }),
    ]);
    expect((await tags(mine[1]!)).map((t) => [t.tag, t.source])).toEqual([['auto-one', 'auto']]);
    expect((await tags(theirs)).map((t) => t.tag)).toEqual(['VIP']);
  });

  it('logs a contact with its task, once, and none for another store’s customer', async () => {
    const taskId = await task(mine[2]!);
    const contact = {
      contactId: 'contact-1',
      customerId: mine[2],
      channel: 'wechat',
      outcome: 'follow_up',
      note: 'Call back Friday',
      taskId,
    };
    const logged = event('customer.contacted', contact);
    await apply([logged, { ...logged, id: eventId(), payload: { ...contact, note: 'again' } }]);
    await apply([event('customer.contacted', { ...contact, contactId: 'contact-2', customerId: theirs, taskId: null })]);
    const contacts = await rows<Record<string, unknown>>(
      `SELECT id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at FROM customer_contact WHERE id IN ('contact-1', 'contact-2')`,
    );
    expect(contacts.map((c) => ({ ...c, at: iso(c.at as Date) }))).toEqual([
      {
        id: 'contact-1',
        customer_id: mine[2],
        store_id: TEST_STORE,
        staff_id: guide,
        channel: 'wechat',
        outcome: 'follow_up',
        task_id: taskId,
        note: 'Call back Friday',
        at: AT,
      },
    ]);
  });

  it('opts a customer out (keeping the consent on record) and back in, stamped with HQ’s time, for its own store only', async () => {
    const profile = async (customerId: string) =>
      (
        await rows<{ consent: boolean; opted_out: boolean; updated_at: Date }>(
          'SELECT consent, opted_out, updated_at FROM customer_profile WHERE customer_id = $1',
          [customerId],
        )
      ).map((p) => ({ ...p, updated_at: iso(p.updated_at) }));
    await db.query('UPDATE customer_profile SET consent = true, opted_out = false WHERE customer_id = ANY($1)', [[mine[3], theirs]]);
    const [before] = await profile(theirs);
    await apply([
      event('customer.consent_changed', { customerId: mine[3], consent: false }),
      event('customer.consent_changed', { customerId: theirs, consent: false }),
    ]);
    expect(await profile(mine[3]!)).toEqual([{ consent: true, opted_out: true, updated_at: NOW.toISOString() }]);
    expect(await profile(theirs)).toEqual([before]);

    await db.query('UPDATE customer_profile SET consent = false WHERE customer_id = $1', [mine[3]]);
    await apply([event('customer.consent_changed', { customerId: mine[3], consent: true })]);
    expect((await profile(mine[3]!)).map((p) => [p.consent, p.opted_out])).toEqual([[true, false]]);
  });

  it('audits a phone reveal: who, on which device, why and for what, once per event', async () => {
    const reveal = event('customer.phone_revealed', { customerId: mine[0], reason: 'Confirm the delivery', purpose: 'call' });
    await apply([reveal, reveal]);
    const audit = await rows<Record<string, unknown>>(
      'SELECT event_id, customer_id, store_id, staff_id, device_id, reason, purpose, at FROM customer_reveal WHERE event_id = $1',
      [reveal.id],
    );
    expect(audit.map((a) => ({ ...a, at: iso(a.at as Date) }))).toEqual([
      {
        event_id: reveal.id,
        customer_id: mine[0],
        store_id: TEST_STORE,
        staff_id: guide,
        device_id: device.id,
        reason: 'Confirm the delivery',
        purpose: 'call',
        at: AT,
      },
    ]);
  });

  it('completes an open task with its contact and counts it once, even when two devices complete it', async () => {
    const id = await task(mine[1]!);
    const before = { guide: await tasksDone(guide), other: await tasksDone(other) };
    const done = (contactId: string, staffId: string) =>
      event(
        'customer.task_done',
        { taskId: id, contact: { contactId, customerId: mine[1], channel: 'call', outcome: 'reached', note: 'Came in' } },
        staffId,
      );
    await apply([done('contact-t1', guide)]);
    await apply([done('contact-t2', other)]);
    const [row] = await rows<{ status: string; outcome: string; channel: string; done_by: string; done_at: Date }>(
      'SELECT status, outcome, channel, done_by, done_at FROM customer_task WHERE id = $1',
      [id],
    );
    expect({ ...row, done_at: iso(row!.done_at) }).toEqual({
      status: 'done',
      outcome: 'reached',
      channel: 'call',
      done_by: guide,
      done_at: AT,
    });
    expect(await tasksDone(guide)).toBe(before.guide + 1);
    expect(await tasksDone(other)).toBe(before.other);
    // Both contacts happened: each is logged, with the task it was for.
    expect(
      await rows('SELECT id, task_id, staff_id FROM customer_contact WHERE id IN ($1, $2) ORDER BY id', ['contact-t1', 'contact-t2']),
    ).toEqual([
      { id: 'contact-t1', task_id: id, staff_id: guide },
      { id: 'contact-t2', task_id: id, staff_id: other },
    ]);
  });

  it('completes a snoozed task, but not another store’s nor a cancelled one', async () => {
    const snoozed = await task(mine[2]!, TEST_STORE, 'snoozed');
    const cancelled = await task(mine[2]!, TEST_STORE, 'cancelled');
    const elsewhere = await task(theirs, 'loc-S002');
    const before = await tasksDone(guide);
    const done = (taskId: string, customerId: string) =>
      event('customer.task_done', {
        taskId,
        contact: { contactId: eventId(), customerId, channel: 'visit', outcome: 'bought', note: '' },
      });
    await apply([done(snoozed, mine[2]!), done(cancelled, mine[2]!), done(elsewhere, theirs)]);
    const status = await rows<{ id: string; status: string }>('SELECT id, status FROM customer_task WHERE id = ANY($1)', [
      [snoozed, cancelled, elsewhere],
    ]);
    expect(Object.fromEntries(status.map((s) => [s.id, s.status]))).toEqual({
      [snoozed]: 'done',
      [cancelled]: 'cancelled',
      [elsewhere]: 'open',
    });
    expect(await tasksDone(guide)).toBe(before + 1);
  });

  it('a contact with another customer does not work a task: the task stays open and uncounted, the contact is logged', async () => {
    const id = await task(mine[1]!);
    const before = await tasksDone(guide);
    const contact = (contactId: string) => ({ contactId, customerId: mine[2], channel: 'call', outcome: 'reached', note: '' });
    await apply([
      event('customer.task_done', { taskId: id, contact: contact('contact-x1') }),
      event('customer.contacted', { ...contact('contact-x2'), taskId: id }),
    ]);
    expect(await rows('SELECT status, done_by FROM customer_task WHERE id = $1', [id])).toEqual([{ status: 'open', done_by: null }]);
    expect(await tasksDone(guide)).toBe(before);
    expect(
      await rows('SELECT id, customer_id, task_id FROM customer_contact WHERE id IN ($1, $2) ORDER BY id', ['contact-x1', 'contact-x2']),
    ).toEqual([
      { id: 'contact-x1', customer_id: mine[2], task_id: null },
      { id: 'contact-x2', customer_id: mine[2], task_id: null },
    ]);
  });

  it('snoozes an open or snoozed task of its store until the time asked, and leaves a done one done', async () => {
    const open = await task(mine[3]!);
    const done = await task(mine[3]!, TEST_STORE, 'done');
    const elsewhere = await task(theirs, 'loc-S002');
    const until = '2026-06-20T01:00:00.000Z';
    await apply([open, done, elsewhere].map((taskId) => event('customer.task_snoozed', { taskId, until })));
    const got = await rows<{ id: string; status: string; snoozed_until: Date | null }>(
      'SELECT id, status, snoozed_until FROM customer_task WHERE id = ANY($1)',
      [[open, done, elsewhere]],
    );
    expect(Object.fromEntries(got.map((t) => [t.id, [t.status, iso(t.snoozed_until)]]))).toEqual({
      [open]: ['snoozed', until],
      [done]: ['done', null],
      [elsewhere]: ['open', null],
    });
    const later = '2026-06-25T01:00:00.000Z';
    await apply([event('customer.task_snoozed', { taskId: open, until: later })]);
    expect(await rows('SELECT snoozed_until FROM customer_task WHERE id = $1', [open])).toEqual([{ snoozed_until: new Date(later) }]);
  });

  it('decides bind, sign-up and assign requests under the device’s request ids, naming the event', async () => {
    const [pooled] = await rows<{ id: string }>('SELECT id FROM customer WHERE store_id = $1 AND guide_id IS NULL ORDER BY id LIMIT 1', [
      TEST_STORE,
    ]);
    const bind = event('customer.bind_requested', { requestId: 'req-bind', customerId: pooled!.id, via: 'member_code' });
    const signUp = event('customer.member_created', {
      requestId: 'req-new',
      customerId: 'cus-new-1',
      name: '新客',
      phone: '13912345678',
      consent: true,
    });
    const assign = event('customer.assign_requested', { requestId: 'req-assign', customerId: pooled!.id, toGuideId: other });
    await apply([bind, signUp, assign]);
    const requests = await rows<Record<string, unknown>>(
      `SELECT id, kind, customer_id, requested_by, status, event_id, requested_at, decided_at FROM customer_request
        WHERE id IN ('req-bind', 'req-new', 'req-assign') ORDER BY id`,
    );
    expect(requests.map((r) => ({ ...r, requested_at: iso(r.requested_at as Date), decided_at: iso(r.decided_at as Date) }))).toEqual([
      {
        id: 'req-assign',
        kind: 'assign',
        customer_id: pooled!.id,
        requested_by: guide,
        status: expect.any(String),
        event_id: assign.id,
        requested_at: AT,
        decided_at: NOW.toISOString(),
      },
      {
        id: 'req-bind',
        kind: 'bind',
        customer_id: pooled!.id,
        requested_by: guide,
        status: 'done',
        event_id: bind.id,
        requested_at: AT,
        decided_at: NOW.toISOString(),
      },
      {
        id: 'req-new',
        kind: 'new_member',
        customer_id: 'cus-new-1',
        requested_by: guide,
        status: 'done',
        event_id: signUp.id,
        requested_at: AT,
        decided_at: NOW.toISOString(),
      },
    ]);
    expect(await rows('SELECT guide_id FROM customer WHERE id = $1', ['cus-new-1'])).toEqual([{ guide_id: guide }]);
  });

  it('binds customers only to guides and managers: a cashier’s bind is refused, a cashier’s sign-up goes to the pool', async () => {
    const staffOf = async (role: string) =>
      (
        await rows<{ id: string }>(`SELECT id FROM staff WHERE store_id = $1 AND role = $2 AND active ORDER BY id LIMIT 1`, [
          TEST_STORE,
          role,
        ])
      )[0]!.id;
    const [cashier, manager] = [await staffOf('cashier'), await staffOf('manager')];
    // Two customers of the store's pool (the earlier tests bound the sample's).
    await db.query(
      `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
       VALUES ('cus-pool-a', $1, '池甲', '13900000001', 'blue', 0, NULL, $2), ('cus-pool-b', $1, '池乙', '13900000002', 'blue', 0, NULL, $2)`,
      [TEST_STORE, AT],
    );
    const pooled = [{ id: 'cus-pool-a' }, { id: 'cus-pool-b' }];
    const [{ brand }] = (await rows<{ brand: string }>('SELECT brand FROM location WHERE id = $1', [TEST_STORE])) as [{ brand: string }];
    const metrics = async () =>
      (await customerMetrics(db, { brand, storeId: TEST_STORE, from: new Date(AT), to: new Date(NOW.getTime() + 1), limit: 1 }))[0]!;
    const newMembers = async (staffId: string) =>
      (await rows<{ n: number }>('SELECT coalesce(sum(new_members), 0)::int AS n FROM guide_result WHERE staff_id = $1', [staffId]))[0]!.n;
    const before = { store: (await metrics()).newMembers, cashier: await newMembers(cashier) };

    await apply([
      event('customer.bind_requested', { requestId: 'req-bind-cashier', customerId: pooled[0]!.id, via: 'member_code' }, cashier),
      event('customer.bind_requested', { requestId: 'req-bind-manager', customerId: pooled[1]!.id, via: 'member_code' }, manager),
      event(
        'customer.member_created',
        { requestId: 'req-new-cashier', customerId: 'cus-new-cashier', name: '收银建档', phone: '13912340000', consent: true },
        cashier,
      ),
    ]);
    expect(
      await rows(
        `SELECT id, status, reason, guide_id, current_guide_id, customer_id FROM customer_request
          WHERE id IN ('req-bind-cashier', 'req-bind-manager', 'req-new-cashier') ORDER BY id`,
      ),
    ).toEqual([
      {
        id: 'req-bind-cashier',
        status: 'refused',
        reason: 'forbidden',
        guide_id: cashier,
        current_guide_id: null,
        customer_id: pooled[0]!.id,
      },
      { id: 'req-bind-manager', status: 'done', reason: null, guide_id: manager, current_guide_id: manager, customer_id: pooled[1]!.id },
      {
        id: 'req-new-cashier',
        status: 'done',
        reason: 'pool_cashier',
        guide_id: null,
        current_guide_id: null,
        customer_id: 'cus-new-cashier',
      },
    ]);
    expect(
      await rows('SELECT id, guide_id FROM customer WHERE id = ANY($1) ORDER BY id', [[pooled[0]!.id, pooled[1]!.id, 'cus-new-cashier']]),
    ).toEqual(
      [
        { id: pooled[0]!.id, guide_id: null },
        { id: pooled[1]!.id, guide_id: manager },
        { id: 'cus-new-cashier', guide_id: null },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // The pooled member has a member code, and no protection period: the first guide to bind them keeps them.
    expect(await rows('SELECT count(*)::int AS n FROM member_code WHERE customer_id = $1', ['cus-new-cashier'])).toEqual([{ n: 1 }]);
    expect(await rows('SELECT bound_at, protected_until FROM customer_profile WHERE customer_id = $1', ['cus-new-cashier'])).toEqual([
      { bound_at: null, protected_until: null },
    ]);
    // Registered but connected with no guide: no new-member credit, and not in the store's sign-up rate (建档加粉率).
    expect(await newMembers(cashier)).toBe(before.cashier);
    const after = await metrics();
    expect(after.newMembers).toBe(before.store);
    expect(after.guides.find((g) => g.staffId === cashier)?.newMembers ?? 0).toBe(0);
  });

  it('passes over events without a staff member and events that are not the customer book’s', async () => {
    const nobody = event('customer.note_added', { noteId: 'note-nobody', customerId: mine[0], body: 'x' }, null);
    const cash = { ...event('cash.paid_in', { amountFen: 100 }), id: eventId() };
    await db.tx((sql) => applyCustomerBook(sql, device, [nobody, cash], NOW));
    await apply([nobody, cash]);
    expect(await rows(`SELECT id FROM customer_note WHERE id = 'note-nobody'`)).toEqual([]);
    expect(await rows('SELECT event_id FROM dead_letter WHERE event_id = ANY($1)', [[nobody.id, cash.id]])).toEqual([]);
  });

  it('attributes a member’s sale to the customer book along with the batch', async () => {
    const sale = saleEventFrom({ deviceId: device.id, storeId: TEST_STORE, staffId: guide }, ['SKU-1']);
    const payload = { ...(sale.payload as SaleCompleted), customerId: mine[0]! };
    await apply([{ ...sale, payload }]);
    expect(await rows('SELECT customer_id, store_id, ref FROM customer_purchase WHERE id = $1', [payload.saleId])).toEqual([
      { customer_id: mine[0], store_id: TEST_STORE, ref: payload.receiptNo },
    ]);
  });

  it('puts an event whose effect HQ refuses on the dead-letter list with the reason, and applies the rest of the batch', async () => {
    const bad = event('customer.contacted', {
      contactId: 'contact-bad',
      customerId: mine[0],
      channel: 'fax',
      outcome: 'reached',
      note: '',
      taskId: null,
    });
    const good = event('customer.note_added', { noteId: 'note-after-bad', customerId: mine[0], body: 'Still recorded' });
    await apply([bad, good]);
    expect(await rows(`SELECT id FROM customer_note WHERE id = 'note-after-bad'`)).toEqual([{ id: 'note-after-bad' }]);
    expect(await rows(`SELECT id FROM customer_contact WHERE id = 'contact-bad'`)).toEqual([]);
    const [letter] = await rows<{ event_id: string; type: string; reason: string; message: string }>(
      'SELECT event_id, type, reason, message FROM dead_letter WHERE device_id = $1',
      [device.id],
    );
    expect(letter).toMatchObject({ event_id: bad.id, type: 'customer.contacted', reason: 'customer_book' });
    expect(letter!.message).toMatch(/^recorded, but its customer-book effect was refused: .*customer_contact/);
  });
});
