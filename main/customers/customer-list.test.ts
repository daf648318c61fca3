import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerPage, CustomerScope } from '../api/contract.js';
import { memberCodeOf } from '../../fixtures/checkout-sample.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';
import { COUNT_CAP } from './customer-directory.js';

/**
 * The customer list against a model of it: every page of a guide's book, a manager's store and the
 * pool, for each kind of query, compared with what the same question gives when asked of the
 * tables directly, in the order the list promises — customers with an open or snoozed task by when
 * it is due (a snoozed one when it wakes), then the others by name. The list reads each page one
 * of several ways (the guide's own next actions, the store's, a tag's index, a name's); whichever
 * it takes, the page is this one.
 */

const STORE = 'loc-S001';
const MANAGER = 'S001-01';
const GUIDE = 'S001-04';
const OTHER_GUIDE = 'S001-05';
const LIMIT = 13;
const SCOPES = [
  [GUIDE, 'mine'],
  [MANAGER, 'store'],
  [MANAGER, 'pool'],
] as const;

let kit: CustomersKit;
const staffId = (code: string) => kit.db.prepare('SELECT id FROM staff WHERE code = ?').pluck().get(code) as string;

type Case = { input: { query?: string; tag?: string }; where: string; params: unknown[] };

/** The model: the customers of `scope` that `where` picks, in the list's order. */
function model(scope: CustomerScope, guideId: string, c: Case): string[] {
  const of = { mine: 'c.guide_id = ?', store: '1', pool: 'c.guide_id IS NULL' }[scope];
  return kit.db
    .prepare(
      `WITH nx AS (SELECT customer_id, min(CASE WHEN status = 'snoozed' THEN coalesce(snoozed_until, due_at) ELSE due_at END) AS due
                     FROM customer_task WHERE status IN ('open', 'snoozed') GROUP BY customer_id)
       SELECT c.id FROM customer c LEFT JOIN nx ON nx.customer_id = c.id
        WHERE c.store_id = ? AND ${of} AND (${c.where})
        ORDER BY nx.due IS NULL, nx.due, CASE WHEN nx.due IS NULL THEN c.name END, c.id`,
    )
    .pluck()
    .all(STORE, ...(scope === 'mine' ? [guideId] : []), ...c.params) as string[];
}

const tagged = (tag: string): Omit<Case, 'input'> => ({
  where: 'EXISTS (SELECT 1 FROM customer_tag t WHERE t.customer_id = c.id AND t.tag = ?)',
  params: [tag],
});
const named = (prefix: string): Omit<Case, 'input'> => ({ where: 'substr(c.name, 1, length(?)) = ?', params: [prefix, prefix] });

/** A task of this store's, written as a pull writes one (the triggers keep customer_next). */
function addTask(t: {
  id: string;
  customerId: string;
  dueAt: string;
  kind?: string;
  status?: 'open' | 'snoozed';
  snoozedUntil?: string;
}): void {
  kit.db
    .prepare(
      `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status,
                                  snoozed_until, outcome, done_at)
       VALUES (?, ?, NULL, ?, ?, '回访', 'Follow-up', '', '', NULL, ?, ?, ?, NULL, NULL)`,
    )
    .run(t.id, STORE, t.customerId, t.kind ?? 'follow_up_3', t.dueAt, t.status ?? 'open', t.snoozedUntil ?? null);
}

/** A customer of this store, as a pull writes one. */
function addCustomer(id: string, name: string, phone: string, guideId: string | null): void {
  kit.db
    .prepare(
      `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES (?, ?, ?, ?, 'blue', 0, ?, '2026-01-01T00:00:00.000Z')`,
    )
    .run(id, STORE, name, phone, guideId);
}

beforeAll(() => {
  kit = customersKit();
  const guide = staffId(GUIDE);
  kit.db.transaction(() => {
    // Tasks for every seventh customer of the store, whoever's; every fourth of them due at the same time as another.
    const ids = kit.db.prepare(`SELECT id FROM customer WHERE store_id = ? ORDER BY id`).pluck().all(STORE) as string[];
    ids.forEach((id, i) => {
      if (i % 7 !== 0) return;
      const day = 10 + (Math.floor(i / 7) % 12);
      addTask({
        id: `tsk-model-${i}`,
        customerId: id,
        dueAt: `2026-11-${day}T0${i % 4 === 0 ? 0 : 1}:00:00.000Z`,
        ...(i % 5 === 0 ? { status: 'snoozed', snoozedUntil: '2026-12-24T00:00:00.000Z' } : {}),
      });
    });
    // Names a query could take for something else: four digits, a whole phone, a member code — each only the start of a name.
    const odd = ['1234号', '13800138000号', 'x13800138000', 'm12号', 'xm12'];
    odd.forEach((name, i) => addCustomer(`cus-odd-${i}`, name, `1370000000${i}`, guide));
    // The pool filled to exactly what the list counts (its last full page is its last), the store past it.
    const pool = kit.db.prepare(`SELECT count(*) FROM customer WHERE store_id = ? AND guide_id IS NULL`).pluck().get(STORE) as number;
    for (let i = 0; i < COUNT_CAP - pool; i++)
      addCustomer(`cus-extra-${String(i).padStart(4, '0')}`, `路人${i}`, `159${String(i).padStart(8, '0')}`, null);
  })();
});
afterAll(() => kit.close());

/**
 * The model's pages at offsets at the start, on either side of where the tasked customers end and
 * of what the list counts, the last full page, the last, and past the end.
 */
async function expectPages(scope: CustomerScope, guideId: string, c: Case): Promise<number> {
  const want = model(scope, guideId, c);
  const tasked = kit.db.prepare(`SELECT count(*) FROM customer_next`).pluck().get() as number;
  const offsets = [
    ...new Set([
      ...[0, LIMIT, 2 * LIMIT, 3 * LIMIT],
      ...[tasked - 3, tasked, tasked + 5],
      ...[COUNT_CAP - 5, COUNT_CAP + 1],
      ...[want.length - LIMIT, want.length - 5, want.length, want.length + 7],
    ]),
  ];
  for (const offset of offsets.filter((o) => o >= 0)) {
    const page = await kit.call<CustomerPage>('customers', 'list', { scope, offset, limit: LIMIT, ...c.input });
    const slice = want.slice(offset, offset + LIMIT);
    const full = slice.length === LIMIT;
    expect({ scope, ...c.input, offset, ids: page.items.map((i) => i.id) }).toEqual({ scope, ...c.input, offset, ids: slice });
    expect({ scope, ...c.input, offset, total: page.total, capped: page.totalCapped, next: page.nextOffset }).toEqual({
      scope,
      ...c.input,
      offset,
      total: Math.min(want.length, COUNT_CAP),
      capped: want.length > COUNT_CAP,
      // Past what the list counts it cannot tell the last full page from another: the next one may be empty.
      next: full && (offset + LIMIT < want.length || want.length > COUNT_CAP) ? offset + LIMIT : null,
    });
  }
  return want.length;
}

describe('the customer list against its model', () => {
  it('gives every scope’s pages for each kind of query, whichever way it reads them', async () => {
    const guide = staffId(GUIDE);
    const someone = kit.db
      .prepare(`SELECT id, name, phone FROM customer WHERE store_id = ? AND guide_id = ? ORDER BY id LIMIT 1`)
      .get(STORE, guide) as {
      id: string;
      name: string;
      phone: string;
    };
    const tags = kit.db.prepare(`SELECT DISTINCT tag FROM customer_tag WHERE store_id = ? ORDER BY tag`).pluck().all(STORE) as string[];
    const code = memberCodeOf(someone.id);
    const cases: Case[] = [
      { input: {}, where: '1', params: [] },
      { input: { query: '#' }, where: '1', params: [] },
      ...tags.map((tag) => ({ input: { tag }, ...tagged(tag) })),
      { input: { query: `#${tags[0]}` }, ...tagged(tags[0]!) },
      { input: { query: `# ${tags[1]}` }, ...tagged(tags[1]!) },
      { input: { query: someone.phone.slice(-4) }, where: 'substr(c.phone, -4) = ?', params: [someone.phone.slice(-4)] },
      { input: { query: someone.phone }, where: 'c.phone = ?', params: [someone.phone] },
      { input: { query: code }, where: 'c.id = ?', params: [someone.id] },
      { input: { query: code.toLowerCase() }, where: 'c.id = ?', params: [someone.id] },
      { input: { query: someone.name.slice(0, 1) }, ...named(someone.name.slice(0, 1)) },
      { input: { query: someone.name.slice(0, 2) }, ...named(someone.name.slice(0, 2)) },
      { input: { query: '路人1' }, ...named('路人1') },
      {
        input: { query: '路人1', tag: tags[0] },
        where: `${named('路人1').where} AND ${tagged(tags[0]!).where}`,
        params: [...named('路人1').params, tags[0]],
      },
      ...['1234号', '13800138000号', 'x13800138000', 'm12号', 'xm12'].map((q) => ({ input: { query: q }, ...named(q) })),
    ];
    const sizes: Record<string, number[]> = {};
    for (const [who, scope] of SCOPES) {
      await kit.login(who);
      for (const c of cases) (sizes[scope] ??= []).push(await expectPages(scope, guide, c));
    }
    // The cases reach what they are for: lists past the count's cap, empty ones, and each odd name found by its own start.
    expect(Math.max(...sizes.store!)).toBeGreaterThan(COUNT_CAP);
    expect(sizes.pool).toContain(COUNT_CAP);
    expect(sizes.mine!.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(sizes.mine!.slice(-5)).toEqual([1, 1, 1, 1, 1]);
  });

  it('gives the same pages when a tag is worn by more of the store than its index is read for (RARE_TAG, COUNTED_FROM_TAG)', async () => {
    const guide = staffId(GUIDE);
    const [tag] = kit.db.prepare(`SELECT tag FROM customer_tag GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 1`).pluck().all() as string[];
    // Wearers past both thresholds, of customers another store's device would hold: the list now probes each customer it walks.
    const insert = kit.db.prepare(
      `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, ?, ?, 'auto', '2025-01-01T00:00:00.000Z')`,
    );
    kit.db.transaction(() => {
      for (let i = 0; i < 8000; i++) insert.run(`cus-elsewhere-${i}`, tag, STORE);
    })();
    try {
      for (const [who, scope] of SCOPES) {
        await kit.login(who);
        expect(await expectPages(scope, guide, { input: { tag }, ...tagged(tag!) })).toBeGreaterThan(0);
      }
    } finally {
      kit.db.prepare(`DELETE FROM customer_tag WHERE customer_id LIKE 'cus-elsewhere-%'`).run();
    }
  });

  it('keeps each guide’s order when customers change guide, a task is snoozed, or a customer arrives after their task', async () => {
    const guide = staffId(GUIDE);
    const other = staffId(OTHER_GUIDE);
    const all: Case = { input: {}, where: '1', params: [] };
    const book = model('mine', guide, all);
    const arriving = 'cus-arrives-after-its-task';
    const open = kit.db.prepare(`SELECT 1 FROM customer_task WHERE customer_id = ? AND status = 'open'`);
    const snoozed = book.find((id) => open.get(id) !== undefined)!;
    expect(snoozed).toBeDefined();
    const moved = book.filter((id) => id !== snoozed).slice(0, 12);
    try {
      kit.db.transaction(() => {
        // HQ moves customers to the other guide (with and without a task), as a pull writes them.
        for (const id of moved) kit.db.prepare('UPDATE customer SET guide_id = ? WHERE id = ?').run(other, id);
        // A task snoozed past the others' due times.
        kit.db
          .prepare(
            `UPDATE customer_task SET status = 'snoozed', snoozed_until = '2027-01-01T00:00:00.000Z' WHERE customer_id = ? AND status = 'open'`,
          )
          .run(snoozed);
        // A customer whose task a page brought before the customer row.
        addTask({ id: 'tsk-arrives', customerId: arriving, dueAt: '2020-01-01T00:00:00.000Z' });
        addCustomer(arriving, '晚到', '13700000099', guide);
      })();
      expect(model('mine', guide, all)[0]).toBe(arriving);
      for (const [code, id] of [
        [GUIDE, guide],
        [OTHER_GUIDE, other],
      ] as const) {
        await kit.login(code);
        expect(await expectPages('mine', id, all)).toBeGreaterThan(0);
        const tag = kit.db.prepare(`SELECT tag FROM customer_tag WHERE customer_id = ? LIMIT 1`).pluck().get(moved[0]) as string;
        await expectPages('mine', id, { input: { tag }, ...tagged(tag) });
      }
    } finally {
      kit.db.transaction(() => {
        for (const id of moved) kit.db.prepare('UPDATE customer SET guide_id = ? WHERE id = ?').run(guide, id);
        kit.db
          .prepare(
            `UPDATE customer_task SET status = 'open', snoozed_until = NULL WHERE customer_id = ? AND status = 'snoozed' AND snoozed_until = '2027-01-01T00:00:00.000Z'`,
          )
          .run(snoozed);
        kit.db.prepare(`DELETE FROM customer_task WHERE id = 'tsk-arrives'`).run();
        kit.db.prepare(`DELETE FROM customer WHERE id = ?`).run(arriving);
      })();
    }
  });

  it('shows each row’s next task, six tags in the profile’s order, and a takeover only while it lasts', async () => {
    await kit.login(GUIDE);
    const guide = staffId(GUIDE);
    const other = staffId(OTHER_GUIDE);
    const [a, b, c] = kit.db
      .prepare(
        `SELECT id FROM customer WHERE store_id = ? AND guide_id = ? AND id NOT IN (SELECT customer_id FROM customer_task) ORDER BY id LIMIT 3`,
      )
      .pluck()
      .all(STORE, guide) as [string, string, string];
    const tag = kit.db.prepare(`INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, ?, ?, ?, ?)`);
    kit.db.transaction(() => {
      // a: two open tasks, the later one written first; the row shows the one due first.
      addTask({ id: 'tsk-row-late', customerId: a, kind: 'follow_up_15', dueAt: '2026-01-20T00:00:00.000Z' });
      addTask({ id: 'tsk-row-early', customerId: a, kind: 'follow_up_3', dueAt: '2026-01-05T00:00:00.000Z' });
      // b: eight tags, manual ones first, then by when they were added, then by name.
      kit.db.prepare('DELETE FROM customer_tag WHERE customer_id = ?').run(b);
      for (const [t, source, at] of [
        ['z-auto-old', 'auto', '2025-01-01'],
        ['a-auto-new', 'auto', '2025-06-01'],
        ['m-manual-2', 'manual', '2025-03-01'],
        ['b-manual-1', 'manual', '2025-03-01'],
        ['c-manual-0', 'manual', '2025-02-01'],
        ['d-auto-mid', 'auto', '2025-03-01'],
        ['e-auto-mid', 'auto', '2025-03-01'],
        ['f-auto-last', 'auto', '2025-12-01'],
      ] as const)
        tag.run(b, t, STORE, source, `${at}T00:00:00.000Z`);
      // b is taken over from the other guide until next month; c's takeover ends this very instant.
      const takeover = kit.db.prepare(`UPDATE customer_profile SET takeover_from = ?, takeover_until = ? WHERE customer_id = ?`);
      takeover.run(other, '2026-12-22T00:00:00.000Z', b);
      takeover.run(other, new Date(kit.clock.now).toISOString(), c);
    })();
    const row = async (id: string) => {
      const page = await kit.call<CustomerPage>('customers', 'list', { query: memberCodeOf(id) });
      expect(page.items.map((i) => i.id)).toEqual([id]);
      return page.items[0]!;
    };
    expect((await row(a)).nextTask).toEqual({
      id: 'tsk-row-early',
      kind: 'follow_up_3',
      name: { zh: '回访', en: 'Follow-up' },
      dueAt: '2026-01-05T00:00:00.000Z',
    });
    const rowB = await row(b);
    expect(rowB.tags.map((t) => t.tag)).toEqual(['c-manual-0', 'b-manual-1', 'm-manual-2', 'z-auto-old', 'd-auto-mid', 'e-auto-mid']);
    expect(rowB.takingOver).toEqual({ from: expect.objectContaining({ id: other, code: OTHER_GUIDE }), until: '2026-12-22T00:00:00.000Z' });
    expect(rowB.guide).toEqual(expect.objectContaining({ id: guide, code: GUIDE }));
    expect(rowB.nextTask).toBeNull();
    expect((await row(c)).takingOver).toBeNull();
    // The profile still shows every tag.
    expect((await kit.call<{ tags: unknown[] }>('customers', 'profile', { customerId: b })).tags).toHaveLength(8);
  });
});
