import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerPage, CustomerProfile, CustomerTag, NoteView, RequestView, TaskPage, TaskView } from '../api/contract.js';
import { readOutbox } from '../store/outbox.js';
import { memberCodeOf } from '../../fixtures/checkout-sample.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';

const MANAGER = 'S001-01';
const GUIDE = 'S001-04';
const OTHER_GUIDE = 'S001-05';
const CASHIER = 'S001-02';
const MASKED = /^1\d{2}\*{4}\d{4}$/;

let kit: CustomersKit;
let guideId: string;
beforeAll(() => {
  kit = customersKit();
  guideId = (kit.db.prepare(`SELECT id FROM staff WHERE code = ?`).get(GUIDE) as { id: string }).id;
});
afterAll(() => kit.close());

const outboxOf = (type: string) => readOutbox(kit.db, 10_000).filter((e) => e.type === type);
const customerOf = (guide: string | null) =>
  kit.db
    .prepare(`SELECT c.id, c.name, c.phone FROM customer c WHERE c.guide_id IS ? ORDER BY c.id LIMIT 1`)
    .get(guide === null ? null : (kit.db.prepare('SELECT id FROM staff WHERE code = ?').get(guide) as { id: string }).id) as {
    id: string;
    name: string;
    phone: string;
  };

describe('the customer book on the device', () => {
  it('shows a guide one page of their own customers, masked, the next action first', async () => {
    await kit.login(GUIDE);
    const page = await kit.call<CustomerPage>('customers', 'list', { scope: 'mine', limit: 50 });
    const own = (kit.db.prepare('SELECT count(*) AS n FROM customer WHERE guide_id = ?').get(guideId) as { n: number }).n;
    expect(page.total).toBe(own);
    expect(page.items.length).toBe(Math.min(own, 50));
    expect(page.items.every((c) => c.guide?.id === guideId && MASKED.test(c.phone))).toBe(true);
    // Customers with an open task come first, by its due time; the rest by name.
    const tasked = page.items.filter((c) => c.nextTask);
    expect(tasked.length).toBeGreaterThan(0);
    expect(page.items.slice(0, tasked.length)).toEqual(tasked);
    const due = tasked.map((c) => c.nextTask!.dueAt);
    expect(due).toEqual([...due].sort());
    // A guide is not given the store's book or its pool.
    expect((await kit.fail('customers', 'list', { scope: 'store' })).code).toBe('FORBIDDEN');
    expect((await kit.fail('customers', 'list', { scope: 'mine', limit: 51 })).code).toBe('BAD_INPUT');
  });

  it('finds a customer by the last four digits of the phone, the member code, the start of the name and a tag', async () => {
    await kit.login(GUIDE);
    const c = customerOf(GUIDE);
    const ids = async (query: string) => (await kit.call<CustomerPage>('customers', 'list', { query })).items.map((i) => i.id);
    expect(await ids(c.phone.slice(-4))).toContain(c.id);
    expect(await ids(memberCodeOf(c.id))).toEqual([c.id]);
    expect(await ids(c.name.slice(0, 1))).toContain(c.id);
    const [tag] = kit.db.prepare(`SELECT tag FROM customer_tag WHERE customer_id = ?`).pluck().all(c.id) as string[];
    expect(await ids(`#${tag}`)).toContain(c.id);
    // Another guide's customer is not found by this guide, whatever the query.
    const other = customerOf(OTHER_GUIDE);
    expect(await ids(memberCodeOf(other.id))).toEqual([]);
    expect((await kit.fail('customers', 'profile', { customerId: other.id })).code).toBe('NOT_FOUND');
  });

  it('reveals a phone only with a reason, and the reveal goes to HQ’s audit', async () => {
    await kit.login(GUIDE);
    const c = customerOf(GUIDE);
    const profile = await kit.call<CustomerProfile>('customers', 'profile', { customerId: c.id });
    expect(profile.phone).toMatch(MASKED);
    expect(JSON.stringify(profile)).not.toContain(c.phone);
    expect((await kit.fail('customers', 'revealPhone', { customerId: c.id, purpose: 'call' })).code).toBe('BAD_INPUT');
    const revealed = await kit.call<{ phone: string }>('customers', 'revealPhone', {
      customerId: c.id,
      reason: '客户要求回电',
      purpose: 'call',
    });
    expect(revealed.phone).toBe(c.phone);
    expect(outboxOf('customer.phone_revealed').at(-1)).toMatchObject({
      staffId: guideId,
      payload: { customerId: c.id, reason: '客户要求回电', purpose: 'call' },
    });
  });

  it('keeps notes and tags at once, each with its event for HQ', async () => {
    await kit.login(GUIDE);
    const c = customerOf(GUIDE);
    const note = await kit.call<NoteView>('customers', 'addNote', { customerId: c.id, body: '想要 M 码的黑色大衣' });
    const tags = await kit.call<CustomerTag[]>('customers', 'addTag', { customerId: c.id, tag: '周末来' });
    expect(tags).toContainEqual({ tag: '周末来', source: 'manual', label: null });
    const profile = await kit.call<CustomerProfile>('customers', 'profile', { customerId: c.id });
    expect(profile.notes[0]).toEqual(note);
    expect(outboxOf('customer.note_added').at(-1)?.payload).toEqual({ noteId: note.id, customerId: c.id, body: '想要 M 码的黑色大衣' });
    // HQ's automatic tags are not a guide's to add or remove.
    const auto = profile.tags.find((t) => t.source === 'auto')!;
    expect((await kit.fail('customers', 'removeTag', { customerId: c.id, tag: auto.tag })).code).toBe('BAD_INPUT');
    for (const tag of ['dormant_180', 'high_spender', 'size:M'])
      expect((await kit.fail('customers', 'addTag', { customerId: c.id, tag })).code).toBe('BAD_INPUT');
    expect(await kit.call<CustomerTag[]>('customers', 'removeTag', { customerId: c.id, tag: '周末来' })).not.toContainEqual(
      expect.objectContaining({ tag: '周末来' }),
    );
    expect(outboxOf('customer.tag_removed')).toHaveLength(1);
  });

  it('works a task: logs the contact, marks it done, and keeps to the do-not-disturb rule and opt-outs', async () => {
    await kit.login(GUIDE);
    const open = await kit.call<TaskPage>('customers', 'tasks', { status: 'open' });
    const task = open.items.find((t) => !t.locked && t.kind.startsWith('follow_up'))!;
    expect(task).toBeDefined();
    const done = await kit.call<TaskView>('customers', 'completeTask', {
      taskId: task.id,
      channel: 'wechat',
      outcome: 'reached',
      note: '尺码合适',
    });
    expect(done).toMatchObject({ id: task.id, status: 'done', outcome: 'reached' });
    expect(outboxOf('customer.task_done').at(-1)?.payload).toMatchObject({
      taskId: task.id,
      contact: { customerId: task.customerId, channel: 'wechat' },
    });
    expect((await kit.fail('customers', 'completeTask', { taskId: task.id, channel: 'call', outcome: 'reached' })).code).toBe('CONFLICT');
    // The store's rule: at most 2 contacts in 7 days. One more is allowed, the third is refused; a visit always counts in.
    await kit.call('customers', 'logContact', { customerId: task.customerId, channel: 'call', outcome: 'no_answer' });
    expect((await kit.fail('customers', 'logContact', { customerId: task.customerId, channel: 'sms', outcome: 'reached' })).code).toBe(
      'CONTACT_LIMIT',
    );
    await kit.call('customers', 'logContact', { customerId: task.customerId, channel: 'visit', outcome: 'bought' });
    // Eight days later the window has passed.
    kit.clock.now += 8 * 86_400_000;
    await kit.call('customers', 'logContact', { customerId: task.customerId, channel: 'sms', outcome: 'reached' });
    // A customer who opts out is locked: no task, no contact, until they opt in.
    await kit.call('customers', 'setConsent', { customerId: task.customerId, consent: false });
    expect((await kit.fail('customers', 'logContact', { customerId: task.customerId, channel: 'call', outcome: 'reached' })).code).toBe(
      'OPTED_OUT',
    );
    const profile = await kit.call<CustomerProfile>('customers', 'profile', { customerId: task.customerId });
    expect(profile).toMatchObject({ contactable: false, optedOut: true });
    await kit.call('customers', 'setConsent', { customerId: task.customerId, consent: true });
    expect(outboxOf('customer.consent_changed').map((e) => (e.payload as { consent: boolean }).consent)).toEqual([false, true]);
    // Once HQ moves the customer to another guide, the done task no longer shows them to this guide.
    const doneIds = async () => (await kit.call<TaskPage>('customers', 'tasks', { status: 'done' })).items.map((t) => t.id);
    expect(await doneIds()).toContain(task.id);
    const other = (kit.db.prepare('SELECT id FROM staff WHERE code = ?').get(OTHER_GUIDE) as { id: string }).id;
    kit.db.prepare('UPDATE customer SET guide_id = ? WHERE id = ?').run(other, task.customerId);
    try {
      expect(await doneIds()).not.toContain(task.id);
    } finally {
      kit.db.prepare('UPDATE customer SET guide_id = ? WHERE id = ?').run(guideId, task.customerId);
    }
  });

  it('sends binding, new-member and assignment requests as pending; only a manager assigns or sees the pool', async () => {
    await kit.login(GUIDE);
    const pooled = customerOf(null);
    const bind = await kit.call<RequestView>('customers', 'bind', { memberCode: memberCodeOf(pooled.id) });
    expect(bind).toMatchObject({ kind: 'bind', status: 'pending', customerId: pooled.id, guide: { id: guideId } });
    const member = await kit.call<RequestView>('customers', 'newMember', { name: '赵新', phone: '13912345678', consent: true });
    expect(member).toMatchObject({ kind: 'new_member', status: 'pending', customerName: '赵新' });
    expect(outboxOf('customer.member_created').at(-1)?.payload).toMatchObject({ name: '赵新', phone: '13912345678', consent: true });
    expect((await kit.fail('customers', 'newMember', { name: 'x', phone: pooled.phone, consent: true })).code).toBe('CONFLICT');
    expect((await kit.call<{ items: RequestView[] }>('customers', 'requests')).items.map((r) => r.id)).toEqual([member.id, bind.id]);
    expect((await kit.fail('customers', 'assign', { customerId: pooled.id, guideId })).code).toBe('FORBIDDEN');

    await kit.login(MANAGER);
    const pool = await kit.call<CustomerPage>('customers', 'list', { scope: 'pool' });
    expect(pool.items.length).toBeGreaterThan(0);
    expect(pool.items.every((c) => c.guide === null)).toBe(true);
    const assign = await kit.call<RequestView>('customers', 'assign', { customerId: pool.items[0]!.id, guideId });
    expect(assign).toMatchObject({ kind: 'assign', status: 'pending', guide: { id: guideId } });
    expect(outboxOf('customer.assign_requested').at(-1)?.payload).toEqual({
      requestId: assign.id,
      customerId: pool.items[0]!.id,
      toGuideId: guideId,
    });
  });

  it('lets only guides and managers bind customers to themselves; a cashier’s new member goes to the store pool', async () => {
    const pooled = customerOf(null);
    const cashierId = (kit.db.prepare('SELECT id FROM staff WHERE code = ?').get(CASHIER) as { id: string }).id;
    await kit.login(CASHIER);
    const binds = outboxOf('customer.bind_requested').length;
    expect((await kit.fail('customers', 'bind', { memberCode: memberCodeOf(pooled.id) })).code).toBe('FORBIDDEN');
    expect((await kit.fail('customers', 'guideQr')).code).toBe('FORBIDDEN');
    expect(outboxOf('customer.bind_requested')).toHaveLength(binds);
    // 建档 at the till is the cashier's job: the member is made, for nobody's book (HQ puts them in the pool).
    const member = await kit.call<RequestView>('customers', 'newMember', { name: '钱收银', phone: '13912340000', consent: true });
    expect(member).toMatchObject({ kind: 'new_member', status: 'pending', customerName: '钱收银', guide: null });
    expect(outboxOf('customer.member_created').at(-1)).toMatchObject({ staffId: cashierId, payload: { name: '钱收银' } });
    // A manager holds customers too.
    await kit.login(MANAGER);
    const managerId = (kit.db.prepare('SELECT id FROM staff WHERE code = ?').get(MANAGER) as { id: string }).id;
    expect(await kit.call<RequestView>('customers', 'bind', { memberCode: memberCodeOf(pooled.id) })).toMatchObject({
      kind: 'bind',
      status: 'pending',
      guide: { id: managerId },
    });
  });

  it('masks a phone of any shape in the list, the profile, the tasks and at the till', async () => {
    // Imported numbers: with the country code, with spaces, a landline, and one too short to mask.
    const shapes = [
      ['cus-mask-1', '+8613912345678', '139****5678', '13912345678'],
      ['cus-mask-2', '139 2345 6789', '139****6789', '2345'],
      ['cus-mask-3', '010-62345678', '010****5678', '62345678'],
      ['cus-mask-4', '62345', '****', '62345'],
    ] as const;
    try {
      shapes.forEach(([id, phone], i) => {
        kit.db
          .prepare(
            `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
             VALUES (?, 'loc-S001', ?, ?, 'blue', 0, ?, '2026-01-01T00:00:00.000Z')`,
          )
          .run(id, `龙测试${i}`, phone, guideId);
        kit.db.prepare(`INSERT INTO member_code (code, customer_id) VALUES (?, ?)`).run(`M9999999${i}`, id);
        kit.db
          .prepare(
            `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status)
             VALUES (?, 'loc-S001', ?, ?, 'follow_up_day3', '回访', 'Follow up', '您好', 'Hello', NULL, '2026-11-20T00:00:00.000Z', 'open')`,
          )
          .run(`task-mask-${i}`, guideId, id);
      });
      await kit.login(GUIDE);
      for (const [i, [id, , masked, hidden]] of shapes.entries()) {
        const code = `M9999999${i}`;
        const row = (await kit.call<CustomerPage>('customers', 'list', { query: code })).items.find((c) => c.id === id);
        expect(row?.phone).toBe(masked);
        const profile = await kit.call<CustomerProfile>('customers', 'profile', { customerId: id });
        expect(profile.phone).toBe(masked);
        expect(JSON.stringify(profile)).not.toContain(hidden);
        expect(profile.tasks.map((t) => t.phone)).toEqual([masked]);
        const cart = await kit.call<{ member: { phone: string } | null }>('checkout', 'identifyMember', { code });
        expect(cart.member?.phone).toBe(masked);
      }
    } finally {
      await kit.call('checkout', 'clear');
      for (const [id] of shapes) {
        kit.db.prepare('DELETE FROM customer_task WHERE customer_id = ?').run(id);
        kit.db.prepare('DELETE FROM member_code WHERE customer_id = ?').run(id);
        kit.db.prepare('DELETE FROM customer WHERE id = ?').run(id);
      }
    }
  });

  it('ends the session of a manager whose role HQ lowered at the next sync, so the store-wide book goes with it', async () => {
    const managerId = (kit.db.prepare('SELECT id FROM staff WHERE code = ?').get(MANAGER) as { id: string }).id;
    const ended = () => readOutbox(kit.db, 10_000).filter((e) => e.type === 'staff.session_ended');
    const before = ended().length;
    await kit.login(MANAGER);
    expect((await kit.call<CustomerPage>('customers', 'list', { scope: 'store' })).total).toBeGreaterThan(0);
    // A sync round that changed nothing about the manager keeps the session.
    kit.terminal.events.emit('sync.state', { online: true } as never);
    expect(ended()).toHaveLength(before);
    // HQ demotes the manager; the store's feed brings the staff row, then the sync round ends.
    kit.db.prepare(`UPDATE staff SET role = 'guide' WHERE id = ?`).run(managerId);
    try {
      kit.terminal.events.emit('sync.state', { online: true } as never);
      expect(ended().slice(before)).toEqual([
        expect.objectContaining({ staffId: managerId, payload: { staffId: managerId, reason: 'role_changed' } }),
      ]);
      expect((await kit.fail('customers', 'list', { scope: 'store' })).code).toBe('NOT_LOGGED_IN');
      // Logged in again, the session has the role HQ gave: no store-wide book.
      await kit.login(MANAGER);
      expect((await kit.fail('customers', 'list', { scope: 'store' })).code).toBe('FORBIDDEN');
    } finally {
      kit.db.prepare(`UPDATE staff SET role = 'manager' WHERE id = ?`).run(managerId);
    }
    // The guard check ends it too, without waiting for a sync round (the promotion back, here).
    expect((await kit.fail('customers', 'list', { scope: 'mine' })).code).toBe('NOT_LOGGED_IN');
    expect(ended().at(-1)).toMatchObject({ payload: { reason: 'role_changed' } });
  });

  it('ends the session of a staff member HQ offboarded at the next sync, and refuses their PIN', async () => {
    await kit.login(OTHER_GUIDE);
    kit.db.prepare(`UPDATE staff SET active = 0 WHERE code = ?`).run(OTHER_GUIDE);
    // The feed applied the row; the next guard check (or sync round) ends the session.
    expect((await kit.fail('customers', 'list', { scope: 'mine' })).code).toBe('NOT_LOGGED_IN');
    expect(
      readOutbox(kit.db, 10_000)
        .filter((e) => e.type === 'staff.session_ended')
        .at(-1),
    ).toMatchObject({ payload: { reason: 'deactivated' } });
    expect((await kit.fail('staff', 'login', { code: OTHER_GUIDE, pin: '0505' })).code).toBe('WRONG_PIN');
  });
});
