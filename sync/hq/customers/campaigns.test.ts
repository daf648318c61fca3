import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { HqDb, Sql } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { CHANGE_ROWS } from '../testing/change-log.js';
import { eventId } from '../testing/push-fixture.js';
import { rolledBack } from '../testing/rolled-back.js';
import { TEST_STORE, testDevice } from '../testing/test-hq.js';
import type { TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';
import { CampaignError, runCampaign } from './campaigns.js';
import type { CampaignInput } from './campaigns.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const DAY = 86_400_000;
type Campaign = { tasks: number; skipped: { optedOut: number; doNotDisturb: number; already: number }; dueAt: string };

describe.each(backends)('campaigns, metrics and online orders at HQ on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));
  const ok = async <T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> => {
    const answer = await hq.admin(method, path, body, contentType ? { contentType } : {});
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  };
  const brand = async () => (await db.query<{ code: string }>('SELECT code FROM brand'))[0]!.code;
  const campaign = async (id: string, kind: string, params: object, extra: object = {}) =>
    ok<Campaign>('POST', '/admin/v1/campaigns', {
      id,
      brand: await brand(),
      kind,
      name_zh: '唤醒',
      name_en: 'Wake up',
      script_zh: '好久不见',
      script_en: 'Long time no see',
      coupon: 'CPN-15-PCT',
      params,
      ...extra,
    });

  it('tasks the dormant customers of 180–720 days, never the opted out nor those the do-not-disturb rule protects, once', async () => {
    const now = Date.now();
    // Three dormant customers of the store: one opted out, one contacted twice this week.
    const dormant = await db.query<{ id: string }>(
      `SELECT id FROM customer WHERE store_id = $1 AND guide_id IS NOT NULL ORDER BY id LIMIT 3`,
      [TEST_STORE],
    );
    const ids = dormant.map((d) => d.id);
    await db.query(`UPDATE customer_profile SET last_purchase_at = $2, consent = true, opted_out = false WHERE customer_id = ANY($1)`, [
      ids,
      new Date(now - 300 * DAY),
    ]);
    await db.query(`UPDATE customer_profile SET opted_out = true WHERE customer_id = $1`, [ids[1]]);
    for (const n of [1, 2]) {
      await db.query(
        `INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, note, at) SELECT $1, id, store_id, guide_id, 'call', 'no_answer', '', $3 FROM customer WHERE id = $2`,
        [`k-${n}`, ids[2], new Date(now - n * DAY)],
      );
    }
    const first = await campaign('wake-1', 'reactivate', { dormantMinDays: 180, dormantMaxDays: 720 }, { storeIds: [TEST_STORE] });
    const [made] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer_task WHERE campaign_id = 'wake-1'`);
    expect(first.tasks).toBe(made!.n);
    expect(first.skipped.optedOut).toBeGreaterThanOrEqual(1);
    expect(first.skipped.doNotDisturb).toBeGreaterThanOrEqual(1);
    const tasked = new Set(
      (await db.query<{ customer_id: string }>(`SELECT customer_id FROM customer_task WHERE campaign_id = 'wake-1'`)).map(
        (t) => t.customer_id,
      ),
    );
    expect([tasked.has(ids[0]!), tasked.has(ids[1]!), tasked.has(ids[2]!)]).toEqual([true, false, false]);
    // The task goes to the customer's guide, and reaches the store's devices.
    const [task] = await db.query<{ guide_id: string; customer_guide: string; kind: string }>(
      `SELECT t.guide_id, c.guide_id AS customer_guide, t.kind FROM customer_task t JOIN customer c ON c.id = t.customer_id WHERE t.campaign_id = 'wake-1' AND t.customer_id = $1`,
      [ids[0]],
    );
    expect(task).toMatchObject({ kind: 'reactivate', guide_id: task!.customer_guide });
    // In the store's feed as the device reads it, the task's row; the campaign's tasks were written
    // set-based, their change rows in chunks (bulk-load.ts), one of which holds this one.
    expect(
      await db.query(`SELECT scope, row->>0 AS id, row->>3 AS customer FROM ${CHANGE_ROWS} WHERE kind = 'customer_task' AND key = $1`, [
        `wake-1:${ids[0]}`,
      ]),
    ).toEqual([{ scope: `store:${TEST_STORE}`, id: `wake-1:${ids[0]}`, customer: ids[0] }]);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM change WHERE kind = 'customer_task' AND keys IS NOT NULL AND $1 = ANY (keys)`, [
        `wake-1:${ids[0]}`,
      ]),
    ).toEqual([{ n: 1 }]);
    // Run again: nobody is tasked twice.
    const again = await campaign('wake-1', 'reactivate', { dormantMinDays: 180, dormantMaxDays: 720 }, { storeIds: [TEST_STORE] });
    expect(again.tasks).toBe(0);
    expect(again.skipped.already).toBe(first.tasks);
    // Another campaign under the same id is refused: its tasks would be added to this one's.
    const another = await hq.admin('POST', '/admin/v1/campaigns', {
      id: 'wake-1',
      brand: await brand(),
      kind: 'reactivate',
      name_zh: '换季',
      name_en: 'New season',
      script_zh: '新品到了',
      script_en: 'New arrivals',
      params: { dormantMinDays: 30, dormantMaxDays: 720 },
      storeIds: [TEST_STORE],
    });
    expect(another.status).toBe(400);
    expect(JSON.stringify(another.body)).toMatch(/another definition/);
    // The customer moves to another store: the task goes with them, and the old store's feed keeps
    // only its tombstone — the chunk that held it no longer does (HQ migration 0011). Rolled back:
    // the tests below count the store's tasks.
    const [other] = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1`, [
      TEST_STORE,
    ]);
    const moved = await rolledBack(db, async (sql) => {
      await sql.query('UPDATE customer SET store_id = $2 WHERE id = $1', [ids[0], other!.id]);
      const feed = await sql.query(`SELECT scope, deleted FROM ${CHANGE_ROWS} WHERE kind = 'customer_task' AND key = $1 ORDER BY scope`, [
        `wake-1:${ids[0]}`,
      ]);
      const chunked = await sql.query(
        `SELECT count(*)::int AS n FROM change WHERE kind = 'customer_task' AND keys IS NOT NULL AND $1 = ANY (keys)`,
        [`wake-1:${ids[0]}`],
      );
      return { feed, chunked };
    });
    expect(moved).toEqual({
      feed: [
        { scope: `store:${other!.id}`, deleted: false },
        { scope: `store:${TEST_STORE}`, deleted: true },
      ].sort((a, b) => (a.scope < b.scope ? -1 : 1)),
      chunked: [{ n: 0 }],
    });
  });

  it('refuses to start a campaign inside a blackout window, moves tasks due inside one to its end, and follows up the day-3 buyers', async () => {
    const now = Date.now();
    const blackout = async (id: string, startsAt: number, endsAt: number) =>
      ok('POST', '/admin/v1/contact-blackouts', {
        id,
        brand: await brand(),
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
        reason: '春节',
      });
    // In force now: nothing is started.
    await blackout('now', now - DAY, now + DAY);
    const refused = await hq.admin('POST', '/admin/v1/campaigns', {
      id: 'in-blackout',
      brand: await brand(),
      kind: 'follow_up',
      name_zh: '回访',
      name_en: 'Follow-up',
      script_zh: '您好',
      script_en: 'Hello',
      params: { afterDays: 3 },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/blackout window .* in force until/);
    expect(await db.query(`SELECT count(*)::int AS n FROM customer_task WHERE campaign_id = 'in-blackout'`)).toEqual([{ n: 0 }]);
    await db.query(`DELETE FROM contact_blackout WHERE id = 'now'`);
    // Starting tomorrow: a campaign due the day after is due when it ends.
    const endsAt = new Date(now + 10 * DAY).toISOString();
    await blackout('cny', now + DAY / 2, now + 10 * DAY);
    const [buyer] = await db.query<{ id: string }>(
      `SELECT c.id FROM customer c JOIN customer_profile p ON p.customer_id = c.id WHERE c.store_id = $1 AND p.consent AND NOT p.opted_out
        AND NOT EXISTS (SELECT 1 FROM customer_task t WHERE t.customer_id = c.id) ORDER BY c.id DESC LIMIT 1`,
      [TEST_STORE],
    );
    await db.query(
      `INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, at) VALUES ('p-3d', $1, $2, 'store', $2, 'R-3', 19900, '[]', $3)`,
      [buyer!.id, TEST_STORE, new Date(now - 3 * DAY - 3_600_000)],
    );
    const follow = await campaign('day-3', 'follow_up', { afterDays: 3 }, { dueDays: 1 });
    expect(follow.dueAt).toBe(endsAt);
    expect(await db.query(`SELECT kind FROM customer_task WHERE campaign_id = 'day-3' AND customer_id = $1`, [buyer!.id])).toEqual([
      { kind: 'follow_up_3' },
    ]);
  });

  it('imports online orders once, with the promoting guide’s sales credit and the bound guide’s service credit, from JSON and CSV', async () => {
    const [member] = await db.query<{ id: string; code: string; guide_id: string; phone: string }>(
      `SELECT c.id, m.code, c.guide_id, c.phone FROM customer c JOIN member_code m ON m.customer_id = c.id WHERE c.store_id = $1 AND c.guide_id IS NOT NULL ORDER BY c.id LIMIT 1`,
      [TEST_STORE],
    );
    const [seller] = await db.query<{ id: string; code: string }>(
      `SELECT id, code FROM staff WHERE store_id = $1 AND role = 'guide' AND id <> $2 ORDER BY id LIMIT 1`,
      [TEST_STORE, member!.guide_id],
    );
    const order = {
      orderNo: 'MP-0001',
      channel: 'mini_program',
      memberCode: member!.code,
      guideCode: seller!.code,
      totalFen: 39_900,
      orderedAt: new Date().toISOString(),
      items: [],
    };
    const first = await ok<{ results: { status: string }[] }>('POST', '/admin/v1/online-orders', {
      orders: [order, { ...order, orderNo: 'MP-0002', memberCode: 'M99999999' }],
    });
    expect(first.results.map((r) => r.status)).toEqual(['imported', 'unknown_member']);
    expect((await ok<{ results: { status: string }[] }>('POST', '/admin/v1/online-orders', { orders: [order] })).results[0]!.status).toBe(
      'duplicate',
    );
    expect(
      await db.query(
        `SELECT channel, sales_staff_id, service_guide_id, total_fen::int AS total FROM customer_purchase WHERE id = 'order:MP-0001'`,
      ),
    ).toEqual([{ channel: 'mini_program', sales_staff_id: seller!.id, service_guide_id: member!.guide_id, total: 39_900 }]);
    const csv = `order_no,channel,phone,guide_code,total_fen,ordered_at,items\nEC-7,ecommerce,${member!.phone},,12900,${new Date().toISOString()},SKU-X*1*12900`;
    const fromCsv = await ok<{ results: { status: string }[] }>('POST', '/admin/v1/online-orders', csv, 'text/csv');
    expect(fromCsv.results).toEqual([{ orderNo: 'EC-7', status: 'imported' }]);
    const bad = await hq.admin('POST', '/admin/v1/online-orders', 'order_no,channel,total_fen,ordered_at\nX,shop,1,yesterday', {
      contentType: 'text/csv',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/row 1/);
  });

  it('lists every phone reveal of a store page by page, reveals made at the same instant included', async () => {
    const [store] = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1`, [
      TEST_STORE,
    ]);
    const [customer] = await db.query<{ id: string }>('SELECT id FROM customer WHERE store_id = $1 ORDER BY id LIMIT 1', [store!.id]);
    // Two guides on two devices reveal in the same millisecond; a third a second before.
    const at = ['2026-05-01T08:00:01.000Z', '2026-05-01T08:00:01.000Z', '2026-05-01T08:00:00.000Z'];
    const ids = at.map(() => eventId());
    for (const [i, id] of ids.entries()) {
      await db.query(
        `INSERT INTO customer_reveal (event_id, customer_id, store_id, staff_id, device_id, reason, purpose, at) VALUES ($1, $2, $3, 'stf-x', $4, 'call back', 'call', $5)`,
        [id, customer!.id, store!.id, eventId(), at[i]],
      );
    }
    type Page = { reveals: { eventId: string; at: string }[]; next?: Record<string, string> | null };
    const seen: string[] = [];
    let cursor: Record<string, string> | null = {};
    for (let pages = 0; cursor && pages < 5; pages++) {
      const query = new URLSearchParams({ storeId: store!.id, limit: '1', ...cursor });
      const page: Page = await ok<Page>('GET', `/admin/v1/customer-reveals?${query.toString()}`);
      seen.push(...page.reveals.map((r) => r.eventId));
      // The page's cursor, or (an HQ that gives none) the time of its last reveal, as `before`.
      const last = page.reveals.at(-1);
      cursor = page.next !== undefined ? page.next : last ? { before: new Date(last.at).toISOString() } : null;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    // Half a cursor is refused, not read as no cursor at all (the first page again).
    const half = new URLSearchParams({ storeId: store!.id, beforeEventId: ids[0]! });
    expect((await hq.admin('GET', `/admin/v1/customer-reveals?${half.toString()}`)).status).toBe(400);
  });

  it('recomputes the automatic tags from purchases and leaves a guide’s own tags alone', async () => {
    const [c] = await db.query<{ id: string }>(`SELECT id FROM customer WHERE store_id = $1 ORDER BY id DESC LIMIT 1`, [TEST_STORE]);
    await db.query(`DELETE FROM customer_purchase WHERE customer_id = $1`, [c!.id]);
    await db.query(
      `INSERT INTO customer_purchase (id, customer_id, store_id, channel, ref, total_fen, items, at) VALUES ('old', $1, $2, 'store', 'R', 100, '[]', $3)`,
      [c!.id, TEST_STORE, new Date(Date.now() - 400 * DAY)],
    );
    await db.query(
      `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES ($1, 'VIP', $2, 'manual', now()) ON CONFLICT DO NOTHING`,
      [c!.id, TEST_STORE],
    );
    await ok('POST', '/admin/v1/customer-tags/refresh', { storeId: TEST_STORE });
    const tags = (await db.query<{ tag: string }>(`SELECT tag FROM customer_tag WHERE customer_id = $1 ORDER BY tag`, [c!.id])).map(
      (t) => t.tag,
    );
    expect(tags).toContain('dormant_360');
    expect(tags).toContain('VIP');
    expect(tags.filter((t) => t.startsWith('dormant_'))).toEqual(['dormant_360']);
  });

  it('measures execution, dormant activation and sign-up per store and guide', async () => {
    const device = await testDevice(hq);
    const [task] = await db.query<{ id: string; customer_id: string; guide_id: string }>(
      `SELECT id, customer_id, guide_id FROM customer_task WHERE campaign_id = 'wake-1' AND guide_id IS NOT NULL ORDER BY id LIMIT 1`,
    );
    const now = new Date();
    const event = (type: string, payload: unknown) => ({
      id: eventId(),
      type,
      staffId: task!.guide_id,
      deviceId: device.id,
      storeId: TEST_STORE,
      occurredAt: now.toISOString(),
      payload,
    });
    const pushed = await device.call('POST', SYNC_PATHS.push, {
      deviceId: device.id,
      storeId: TEST_STORE,
      events: [
        event('customer.task_done', {
          taskId: task!.id,
          contact: { contactId: eventId(), customerId: task!.customer_id, channel: 'call', outcome: 'reached', note: '' },
        }),
        event('customer.member_created', {
          requestId: eventId(),
          customerId: eventId(),
          name: '新客',
          phone: '13811112222',
          consent: true,
        }),
      ],
    });
    expect(pushed.status).toBe(200);
    // HQ answers once the events are recorded; the customer book is the projector's, a moment later.
    await hq.projector.settled();
    // The reached customer buys online a few days later: activated.
    const [code] = await db.query<{ code: string }>('SELECT code FROM member_code WHERE customer_id = $1', [task!.customer_id]);
    await ok('POST', '/admin/v1/online-orders', {
      orders: [
        {
          orderNo: 'MP-ACT',
          channel: 'mini_program',
          memberCode: code!.code,
          totalFen: 59_900,
          orderedAt: new Date(now.getTime() + 2 * DAY).toISOString(),
        },
      ],
    });
    const from = new Date(now.getTime() - DAY).toISOString();
    const to = new Date(now.getTime() + DAY).toISOString();
    const metrics = await ok<{
      stores: {
        storeId: string;
        tasksAssigned: number;
        tasksDone: number;
        executionRate: number;
        dormantContacted: number;
        dormantActivated: number;
        newMembers: number;
        guides: { staffId: string; tasksDone: number; dormantActivationRate: number | null; newMembers: number }[];
      }[];
    }>('GET', `/admin/v1/customer-metrics?brand=${await brand()}&storeId=${TEST_STORE}&from=${from}&to=${to}`);
    const store = metrics.stores[0]!;
    expect(store).toMatchObject({ storeId: TEST_STORE, tasksDone: 1, dormantContacted: 1, dormantActivated: 1, newMembers: 1 });
    expect(store.tasksAssigned).toBeGreaterThanOrEqual(2);
    expect(store.executionRate).toBeCloseTo(1 / store.tasksAssigned, 3);
    expect(store.guides.find((g) => g.staffId === task!.guide_id)).toMatchObject({ tasksDone: 1, dormantActivationRate: 1, newMembers: 1 });
  });

  it('counts exactly whom each kind aims at, in the given stores or the whole chain, with its defaults, twice in one transaction', async () => {
    // 20:00 UTC: China's date (UTC+8) is already the next day, as a birthday campaign must count it.
    const now = new Date(`${new Date().toISOString().slice(0, 10)}T20:00:00.000Z`);
    const code = await brand();
    const monthDay = (days: number) => new Date(now.getTime() + 8 * 3_600_000 + days * DAY).toISOString().slice(5, 10);
    const seen = await rolledBack(db, async (sql: Sql) => {
      // A clean slate for this transaction (rolled back): nobody dormant, no birthday in the weeks ahead, no task or contact.
      await sql.query('DELETE FROM customer_task');
      await sql.query('DELETE FROM customer_contact');
      await sql.query('DELETE FROM customer_policy');
      await sql.query('DELETE FROM contact_blackout');
      await sql.query('UPDATE customer_profile SET last_purchase_at = $1, birthday = $2, consent = true, opted_out = false', [
        new Date(now.getTime() - 30 * DAY),
        monthDay(100),
      ]);
      const mine = await sql.query<{ id: string; guide_id: string }>(
        'SELECT id, guide_id FROM customer WHERE store_id = $1 AND guide_id IS NOT NULL ORDER BY id LIMIT 9',
        [TEST_STORE],
      );
      const [elsewhere] = await sql.query<{ id: string; store_id: string }>(
        `SELECT id, store_id FROM customer WHERE store_id <> $1 AND guide_id IS NOT NULL ORDER BY id LIMIT 1`,
        [TEST_STORE],
      );
      const [a, b, c, d, e, g, h, i, j] = mine.map((m) => m.id) as [string, string, string, string, string, string, string, string, string];
      const dormant = async (id: string, days: number) =>
        sql.query('UPDATE customer_profile SET last_purchase_at = $2 WHERE customer_id = $1', [id, new Date(now.getTime() - days * DAY)]);
      for (const id of [a, b, c, elsewhere!.id]) await dormant(id, 300);
      await dormant(d, 100);
      await dormant(e, 800);
      await sql.query('UPDATE customer_profile SET opted_out = true WHERE customer_id = $1', [b]);
      for (const n of [1, 2]) {
        await sql.query(
          `INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, note, at) SELECT $1, id, store_id, guide_id, 'call', 'no_answer', '', $3 FROM customer WHERE id = $2`,
          [`dnd-${n}`, c, new Date(now.getTime() - n * DAY)],
        );
      }
      const run = (input: Partial<CampaignInput> & Pick<CampaignInput, 'id' | 'kind' | 'params'>) =>
        runCampaign(
          sql,
          {
            brand: code,
            name_zh: '唤醒',
            name_en: 'Wake up',
            script_zh: '好久不见',
            script_en: 'Long time no see',
            dueDays: 3,
            ...input,
          },
          'test',
          now,
        );
      const tasks = async (id: string) =>
        sql.query<{ customer_id: string; kind: string; coupon: string | null; store_id: string }>(
          'SELECT customer_id, kind, coupon, store_id FROM customer_task WHERE campaign_id = $1 ORDER BY customer_id',
          [id],
        );
      // The default dormancy is 180–720 days; in the given store only.
      const r1 = await run({ id: 'r1', kind: 'reactivate', params: {}, storeIds: [TEST_STORE], coupon: 'CPN-15-PCT' });
      const t1 = await tasks('r1');
      // The whole chain, in the same transaction: a customer another campaign tasked is still free (1 of 2 in 7 days).
      const r2 = await run({ id: 'r2', kind: 'reactivate', params: { dormantMinDays: 180, dormantMaxDays: 720 } });
      const t2 = await tasks('r2');
      // A purchase three days ago: the default follow-up is the day-3 one.
      await sql.query(
        `INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, at) VALUES ('p-g', $1, $2, 'store', $2, 'R-G', 19900, '[]', $3)`,
        [g, TEST_STORE, new Date(now.getTime() - 3 * DAY - 3_600_000)],
      );
      await run({ id: 'f1', kind: 'follow_up', params: {} });
      const f1 = (await tasks('f1')).filter((t) => t.customer_id === g);
      // Birthdays within the default 7 days, in China's calendar.
      await sql.query('UPDATE customer_profile SET birthday = $2 WHERE customer_id = $1', [h, monthDay(6)]);
      await sql.query('UPDATE customer_profile SET birthday = $2 WHERE customer_id = $1', [i, monthDay(-1)]);
      const b1 = await run({ id: 'b1', kind: 'birthday', params: {} });
      const bt = await tasks('b1');
      // Back in stock: the SKU's size and category, in a store that has it.
      const [sku] = await sql.query<{ sku: string; size: string; category: string }>(
        'SELECT k.sku, k.size, s.category_en AS category FROM sku k JOIN style s ON s.code = k.style_code ORDER BY k.sku LIMIT 1',
      );
      await sql.query('DELETE FROM customer_tag WHERE customer_id = ANY($1)', [[j, a]]);
      await sql.query(
        `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) SELECT x.c, x.t, $3, 'auto', $4 FROM unnest($1::text[], $2::text[]) AS x(c, t)`,
        [[j, j, a], [`size:${sku!.size}`, `category:${sku!.category}`, `size:${sku!.size}`], TEST_STORE, now],
      );
      await sql.query(
        `INSERT INTO stock (location_id, sku, qty, updated_at) VALUES ($1, $2, 3, $3) ON CONFLICT (location_id, sku) DO UPDATE SET qty = 3`,
        [TEST_STORE, sku!.sku, now],
      );
      await run({ id: 's1', kind: 'back_in_stock', params: { sku: sku!.sku } });
      const s1 = (await tasks('s1')).filter((t) => t.customer_id === j || t.customer_id === a);
      // An SKU HQ does not have: a CampaignError, before anything is written.
      const unknown = await run({ id: 's2', kind: 'back_in_stock', params: { sku: 'NO-SUCH-SKU' } }).catch((error: unknown) => error);
      const none = await run({ id: 's3', kind: 'back_in_stock', params: {} }).catch((error: unknown) => error);
      const rows = await sql.query('SELECT id, coupon, store_ids FROM campaign WHERE id IN ($1, $2) ORDER BY id', ['r1', 'r2']);
      return { r1, t1, r2, t2, f1, b1: b1.tasks, bt, s1, unknown, none, rows, ids: { a, b, c, g, h, j, elsewhere: elsewhere! } };
    });
    const { r1, t1, r2, t2, f1, b1, bt, s1, unknown, none, rows, ids } = seen;
    expect(r1).toMatchObject({ tasks: 1, skipped: { optedOut: 1, doNotDisturb: 1, already: 0 } });
    expect(t1).toEqual([{ customer_id: ids.a, kind: 'reactivate', coupon: 'CPN-15-PCT', store_id: TEST_STORE }]);
    expect(r2).toMatchObject({ tasks: 2, skipped: { optedOut: 1, doNotDisturb: 1, already: 0 } });
    expect(t2).toEqual(
      [ids.a, ids.elsewhere.id]
        .sort()
        .map((id) => ({ customer_id: id, kind: 'reactivate', coupon: null, store_id: id === ids.a ? TEST_STORE : ids.elsewhere.store_id })),
    );
    expect(f1).toEqual([{ customer_id: ids.g, kind: 'follow_up_3', coupon: null, store_id: TEST_STORE }]);
    expect(b1).toBe(1);
    expect(bt).toEqual([{ customer_id: ids.h, kind: 'birthday', coupon: null, store_id: TEST_STORE }]);
    expect(s1).toEqual([{ customer_id: ids.j, kind: 'back_in_stock', coupon: null, store_id: TEST_STORE }]);
    expect(unknown).toBeInstanceOf(CampaignError);
    expect(unknown).toMatchObject({ name: 'CampaignError', message: 'no SKU NO-SUCH-SKU' });
    expect(none).toMatchObject({ name: 'CampaignError', message: 'no SKU (none given)' });
    // The campaign's own row keeps its coupon and its stores (none: the whole chain).
    expect(rows).toEqual([
      { id: 'r1', coupon: 'CPN-15-PCT', store_ids: [TEST_STORE] },
      { id: 'r2', coupon: null, store_ids: null },
    ]);
  });
});
