import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../protocol/events/index.js';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { eventId, saleEventFrom } from '../testing/push-fixture.js';
import { decideBind } from './bindings.js';
import { httpCall, openTestHqDb, startTestHq, TEST_ADMIN, TEST_STORE, testDevice } from '../testing/test-hq.js';
import type { TestDevice, TestHq } from '../testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

type Batch = { requestId: string; created: boolean; customers: number; counts: Record<string, number> };
type Result = { customerId: string; status: string; reason: string; toGuideId: string | null; fromGuideId: string | null };

describe.each(backends)('customer transfers at HQ on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  let now = new Date('2026-03-01T02:00:00.000Z');
  const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000);

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), customers: 60 });
    hq = await startTestHq(db, { clock: () => now });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await hq?.close();
    await db?.close();
  });

  // The clock moves by days here, past an admin token's life: log in again when it has moved.
  let token: { value: string; at: number } | null = null;
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (token?.at !== now.getTime()) {
      const login = await httpCall(`${hq.url}/admin/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TEST_ADMIN),
      });
      token = { value: (login.body as { token: string }).token, at: now.getTime() };
    }
    const answer = await hq.admin(method, path, body, { token: token.value });
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  };
  const guides = async () =>
    db.query<{ id: string; code: string; book: number }>(
      `SELECT s.id, s.code, (SELECT count(*) FROM customer c WHERE c.guide_id = s.id)::int AS book FROM staff s
        WHERE s.store_id = $1 AND s.role = 'guide' AND s.active ORDER BY s.id`,
      [TEST_STORE],
    );
  const bookOf = async (guide: string) =>
    (await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id', [guide])).map((c) => c.id);
  const results = async (requestId: string) => (await ok<{ results: Result[] }>('GET', `/admin/v1/transfers/${requestId}`)).results;

  /** A guide's record saved through the admin API, with `change` applied. */
  const saveGuide = (g: { id: string; code: string }, change: object) =>
    hq.admin('POST', '/admin/v1/staff', { id: g.id, storeId: TEST_STORE, code: g.code, name: '某', role: 'guide', pin: '1234', ...change });

  it('refuses to deactivate a guide who still holds customers, naming how many', async () => {
    const [g] = (await guides()).filter((x) => x.book > 0);
    const answer = await saveGuide(g!, { active: false });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(new RegExp(`still holds ${g!.book} customer`));
    expect(await db.query('SELECT active FROM staff WHERE id = $1', [g!.id])).toEqual([{ active: true }]);
  });

  it('refuses to move a guide who still holds customers to another store or make them a cashier', async () => {
    const [g] = (await guides()).filter((x) => x.book > 0);
    const [elsewhere] = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1`, [
      TEST_STORE,
    ]);
    for (const change of [{ storeId: elsewhere!.id }, { role: 'cashier' }]) {
      const answer = await saveGuide(g!, change);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(new RegExp(`still holds ${g!.book} customer`));
    }
    expect(await db.query('SELECT store_id, role FROM staff WHERE id = $1', [g!.id])).toEqual([{ store_id: TEST_STORE, role: 'guide' }]);
    expect(await bookOf(g!.id)).toHaveLength(g!.book);
  });

  it('offboards to a named successor: served at once as "taking over", done after the window, the staff row reaches the devices', async () => {
    const [leaving, successor] = (await guides()).filter((x) => x.book > 0);
    const book = await bookOf(leaving!.id);
    const out = await ok<{ batch: Batch; leftAt: string }>('POST', `/admin/v1/staff/${leaving!.id}/offboard`, {
      requestId: 'off-1',
      rule: 'successor',
      successorId: successor!.id,
      reason: '离职',
    });
    expect(out.batch).toMatchObject({
      requestId: 'off-1',
      created: true,
      customers: book.length,
      counts: { waiting: book.length, done: 0 },
    });
    expect(await bookOf(successor!.id)).toEqual(expect.arrayContaining(book));
    const profiles = await db.query<{ takeover_from: string; hours: number }>(
      `SELECT takeover_from, round(extract(epoch FROM takeover_until - $2::timestamptz) / 3600)::int AS hours FROM customer_profile WHERE customer_id = ANY($1)`,
      [book, now],
    );
    expect(profiles.every((p) => p.takeover_from === leaving!.id && p.hours === 24)).toBe(true);
    // The staff row the store's devices get says inactive (their PIN check refuses it).
    const [fed] = await db.query<{ row: unknown[] }>(`SELECT row FROM change WHERE kind = 'staff' AND key = $1 AND scope = $2`, [
      leaving!.id,
      `store:${TEST_STORE}`,
    ]);
    expect(fed!.row[5]).toBe(false);
    // Asked again with the same request id: the same batch, nothing done twice.
    const again = await ok<{ batch: Batch }>('POST', `/admin/v1/staff/${leaving!.id}/offboard`, { requestId: 'off-1', rule: 'pool' });
    expect(again.batch).toMatchObject({ requestId: 'off-1', created: false, counts: { waiting: book.length } });

    // One customer, told, declines within the window: recorded, and into the pool.
    const decliner = book[0]!;
    const declined = await ok<Result>('POST', `/admin/v1/customers/${decliner}/decline-transfer`, {});
    expect(declined).toMatchObject({ status: 'declined', customerId: decliner, toGuideId: successor!.id });
    expect(await db.query('SELECT guide_id FROM customer WHERE id = $1', [decliner])).toEqual([{ guide_id: null }]);

    // After the window the others are done and no longer "taking over".
    now = at(25);
    const list = await results('off-1');
    expect(list.filter((r) => r.status === 'done')).toHaveLength(book.length - 1);
    expect(list.find((r) => r.customerId === decliner)?.status).toBe('declined');
    expect(
      await db.query('SELECT count(*)::int AS n FROM customer_profile WHERE customer_id = ANY($1) AND takeover_from IS NOT NULL', [book]),
    ).toEqual([{ n: 0 }]);
    await expect(ok('POST', `/admin/v1/customers/${book[1]}/decline-transfer`, {})).rejects.toThrow(
      /409 .*no transfer .* is in its takeover window/,
    );
  });

  it('spreads a book over the other guides, the smaller books first, and a pool offboarding empties it at once', async () => {
    const before = (await guides()).filter((g) => g.book > 0);
    const leaving = before[0]!;
    const others = (await guides()).filter((g) => g.id !== leaving.id);
    const out = await ok<{ batch: Batch }>('POST', `/admin/v1/staff/${leaving.id}/offboard`, {
      requestId: 'off-2',
      rule: 'spread',
      takeoverHours: 0,
    });
    expect(out.batch.counts).toMatchObject({ done: leaving.book, waiting: 0 });
    const after = await guides();
    const total = others.reduce((s, g) => s + g.book, 0) + leaving.book;
    const sizes = after.map((g) => g.book);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
    // Filling the smallest first: no guide gained while another that ends smaller could have taken it.
    for (const g of after) {
      const gained = g.book - (others.find((o) => o.id === g.id)?.book ?? 0);
      if (gained > 0) expect(g.book).toBeLessThanOrEqual(Math.min(...sizes) + 1);
    }

    const next = (await guides()).find((g) => g.book > 0)!;
    const pool = await ok<{ batch: Batch }>('POST', `/admin/v1/staff/${next.id}/offboard`, { requestId: 'off-3', rule: 'pool' });
    expect(pool.batch.counts.done).toBe(next.book);
    expect(await bookOf(next.id)).toEqual([]);
  });

  it('refuses a third in-service transfer of a customer within 90 days with a clear reason, per customer', async () => {
    const [a, b] = (await guides()).filter((g) => g.book > 0);
    const [customer, other] = await bookOf(a!.id);
    const move = (requestId: string, to: string, ...ids: string[]) =>
      ok<Batch>('POST', '/admin/v1/transfers', {
        requestId,
        kind: 'rebalance',
        storeId: TEST_STORE,
        reason: 'rebalance',
        takeoverHours: 0,
        moves: ids.map((customerId) => ({ customerId, toGuideId: to })),
      });
    expect((await move('rb-1', b!.id, customer!)).counts.done).toBe(1);
    // A move to the guide the customer already has is no transfer: it does not count towards the limit.
    expect((await move('rb-noop', b!.id, customer!)).counts.done).toBe(1);
    expect((await results('rb-noop'))[0]!.reason).toBe('already with this guide');
    now = at(24 * 10);
    expect((await move('rb-2', a!.id, customer!)).counts.done).toBe(1);
    now = at(24 * 10);
    const third = await move('rb-3', b!.id, customer!, other!, 'cus-nope');
    expect(third.counts).toMatchObject({ refused_limit: 1, done: 1, refused: 1 });
    const list = await results('rb-3');
    expect(list[0]).toMatchObject({ customerId: customer, status: 'refused_limit' });
    expect(list[0]!.reason).toMatch(/transferred 2 times in the last 90 days .*: at most 2/);
    expect(list[2]).toMatchObject({ customerId: 'cus-nope', status: 'refused' });
    // Past 90 days the customer may move again.
    now = at(24 * 75);
    expect((await move('rb-4', b!.id, customer!)).counts.done).toBe(1);
  });

  it('a customer bound by a guide’s own scan during a takeover window has no transfer left to decline', async () => {
    const [from, to, scanner] = (await guides()).filter((g) => g.book > 0).reverse();
    const [customer] = await bookOf(from!.id);
    const moved = await ok<Batch>('POST', '/admin/v1/transfers', {
      requestId: 'rb-scan',
      kind: 'rebalance',
      storeId: TEST_STORE,
      reason: 'rebalance',
      takeoverHours: 24,
      moves: [{ customerId: customer, toGuideId: to!.id }],
    });
    expect(moved.counts.waiting).toBe(1);
    // Past the protection period, another guide's scan binds them: the takeover ends, the window does not.
    await db.query('UPDATE customer_profile SET protected_until = $2 WHERE customer_id = $1', [customer, at(-1)]);
    const bind = { requestId: 'bind-scan', storeId: TEST_STORE, staffId: scanner!.id, requestedAt: now.toISOString(), eventId: null, now };
    expect(await db.tx((sql) => decideBind(sql, bind, customer!))).toMatchObject({ status: 'done', reason: 'protection_expired' });
    await expect(ok('POST', `/admin/v1/customers/${customer}/decline-transfer`, {})).rejects.toThrow(
      new RegExp(`409 .*bound to ${scanner!.id} since the transfer to ${to!.id}: nothing to decline`),
    );
    expect(await db.query('SELECT guide_id FROM customer WHERE id = $1', [customer])).toEqual([{ guide_id: scanner!.id }]);
    // The transfer's result says what happened: another guide has the customer, from the scan on.
    const overtaken = { status: 'overtaken', toGuideId: to!.id };
    expect((await results('rb-scan'))[0]).toMatchObject(overtaken);
    expect((await results('rb-scan'))[0]!.reason).toMatch(
      new RegExp(`^overtaken: ${scanner!.id} has the customer since ${now.toISOString()}`),
    );
    // Past the window it is not counted as done, and it still counts against the in-service limit.
    now = at(25);
    expect((await results('rb-scan'))[0]).toMatchObject(overtaken);
    expect((await ok<{ batch: Batch }>('GET', '/admin/v1/transfers/rb-scan')).batch.counts).toMatchObject({
      overtaken: 1,
      done: 0,
      waiting: 0,
    });
  });

  describe('what devices push', () => {
    let device: TestDevice;
    let second: TestDevice;
    beforeAll(async () => {
      device = await testDevice(hq);
      second = await testDevice(hq);
    });
    const push = async (d: TestDevice, events: OutboxEvent[]) => {
      const answer = await d.call('POST', SYNC_PATHS.push, { deviceId: d.id, storeId: TEST_STORE, events });
      expect(answer.status).toBe(200);
      // HQ answers once the events are recorded; the customer book is the projector's, a moment later.
      await hq.projector.settled();
      return (answer.body as { results: { status: string }[] }).results;
    };
    const event = (d: TestDevice, staffId: string, type: string, payload: unknown, occurredAt = now.toISOString()): OutboxEvent => ({
      id: eventId(),
      type,
      staffId,
      deviceId: d.id,
      storeId: TEST_STORE,
      occurredAt,
      payload,
    });

    it('binds an unbound customer for the first guide in HQ’s receive order; the second device gets the refusal with the guide named', async () => {
      const [g1, g2] = await guides();
      const [pooled] = await db.query<{ id: string }>(
        'SELECT id FROM customer WHERE store_id = $1 AND guide_id IS NULL ORDER BY id LIMIT 1',
        [TEST_STORE],
      );
      const r1 = { requestId: eventId(), customerId: pooled!.id, via: 'member_code' };
      const r2 = { requestId: eventId(), customerId: pooled!.id, via: 'guide_qr' };
      // Both made offline; the second device happens to push first.
      expect(await push(second, [event(second, g2!.id, 'customer.bind_requested', r2)])).toEqual([
        expect.objectContaining({ status: 'accepted' }),
      ]);
      await push(device, [event(device, g1!.id, 'customer.bind_requested', r1)]);
      const decisions = await db.query<{ id: string; status: string; reason: string | null; current_guide_id: string }>(
        'SELECT id, status, reason, current_guide_id FROM customer_request WHERE id = ANY($1) ORDER BY decided_at, id',
        [[r1.requestId, r2.requestId]],
      );
      expect(decisions).toEqual(
        expect.arrayContaining([
          { id: r2.requestId, status: 'done', reason: null, current_guide_id: g2!.id },
          { id: r1.requestId, status: 'refused', reason: 'bound_elsewhere', current_guide_id: g2!.id },
        ]),
      );
      // The refusal reaches the store's devices through the feed.
      expect(await db.query(`SELECT count(*)::int AS n FROM change WHERE kind = 'customer_request' AND key = $1`, [r1.requestId])).toEqual([
        { n: 1 },
      ]);
    });

    it('a scan that binds a customer still being taken over ends the takeover: they are the scanning guide’s own', async () => {
      // A store whose bindings are not protected (0 days) but whose transfers have a 24 h window.
      await ok('PUT', `/admin/v1/stores/${TEST_STORE}/customer-policy`, {
        contactMax: 2,
        contactDays: 7,
        takeoverHours: 24,
        protectionDays: 0,
      });
      try {
        const [a, b, c] = (await guides()).filter((g) => g.book > 0);
        const [moved] = await bookOf(a!.id);
        await ok('POST', '/admin/v1/transfers', {
          requestId: 'rebalance-then-scan',
          kind: 'rebalance',
          storeId: TEST_STORE,
          reason: 'rebalance',
          moves: [{ customerId: moved, toGuideId: b!.id }],
        });
        const profile = async () =>
          (
            await db.query<{ guide_id: string; takeover_from: string | null; takeover_until: Date | null }>(
              'SELECT c.guide_id, p.takeover_from, p.takeover_until FROM customer c JOIN customer_profile p ON p.customer_id = c.id WHERE c.id = $1',
              [moved],
            )
          )[0];
        expect(await profile()).toEqual({ guide_id: b!.id, takeover_from: a!.id, takeover_until: at(24) });
        const request = { requestId: eventId(), customerId: moved, via: 'member_code' };
        await push(device, [event(device, c!.id, 'customer.bind_requested', request, at(1).toISOString())]);
        expect(await db.query('SELECT status, reason FROM customer_request WHERE id = $1', [request.requestId])).toEqual([
          { status: 'done', reason: 'protection_expired' },
        ]);
        expect(await profile()).toEqual({ guide_id: c!.id, takeover_from: null, takeover_until: null });
      } finally {
        await ok('PUT', `/admin/v1/stores/${TEST_STORE}/customer-policy`, {
          contactMax: 2,
          contactDays: 7,
          takeoverHours: 24,
          protectionDays: 90,
        });
      }
    });

    it('protects a binding HQ made itself (an import, a customer with a guide) from another guide’s scan', async () => {
      const [g1, g2] = await guides();
      await db.query(
        `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES ('cus-imported', $1, '进口', '13700137000', 'blue', 0, $2, $3)`,
        [TEST_STORE, g1!.id, now],
      );
      const request = { requestId: eventId(), customerId: 'cus-imported', via: 'member_code' };
      await push(second, [event(second, g2!.id, 'customer.bind_requested', request)]);
      const [decision] = await db.query<{ status: string; reason: string; current_guide_id: string }>(
        'SELECT status, reason, current_guide_id FROM customer_request WHERE id = $1',
        [request.requestId],
      );
      expect(decision).toEqual({ status: 'refused', reason: 'bound_elsewhere', current_guide_id: g1!.id });
    });

    it('makes a member a guide signed up offline before leaving (into the pool), and refuses one signed up after', async () => {
      const leaving = (await guides()).at(-1)!;
      const signUp = (phone: string, occurredAt: string) =>
        event(
          device,
          leaving.id,
          'customer.member_created',
          { requestId: eventId(), customerId: `cus-${phone}`, name: '新客', phone, consent: true },
          occurredAt,
        );
      const before = signUp('13900139001', new Date(now.getTime() - 3_600_000).toISOString());
      await ok('POST', `/admin/v1/staff/${leaving.id}/offboard`, { requestId: 'off-signup', rule: 'pool' });
      const after = signUp('13900139002', new Date(now.getTime() + 60_000).toISOString());
      expect((await push(device, [before, after])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
      const decisions = await db.query<{ status: string; reason: string | null; customer_id: string | null }>(
        'SELECT status, reason, customer_id FROM customer_request WHERE id = ANY($1) ORDER BY requested_at',
        [[before, after].map((e) => (e.payload as { requestId: string }).requestId)],
      );
      expect(decisions).toEqual([
        { status: 'done', reason: 'pool_guide_left', customer_id: 'cus-13900139001' },
        { status: 'refused', reason: 'staff_inactive', customer_id: null },
      ]);
      expect(await db.query(`SELECT guide_id FROM customer WHERE phone IN ('13900139001', '13900139002')`)).toEqual([{ guide_id: null }]);
    });

    const credits = async (staffId: string) => {
      const [row] = await db.query<{ service: number; sales: number }>(
        'SELECT coalesce(sum(service_count), 0)::int AS service, coalesce(sum(sales_count), 0)::int AS sales FROM guide_result WHERE staff_id = $1',
        [staffId],
      );
      return row!;
    };

    it('credits a sale made offline before an offboarding to the departed guide, and one after it to the successor', async () => {
      const [leaving, successor] = (await guides()).filter((g) => g.book > 0);
      const [customer] = await bookOf(leaving!.id);
      const earlier = new Date(now.getTime() - 3_600_000).toISOString();
      const sale = (occurredAt: string) => {
        const e = saleEventFrom({ deviceId: device.id, storeId: TEST_STORE, staffId: leaving!.id }, ['SF25W0001-001-S']);
        const p = e.payload as Record<string, unknown>;
        return { ...e, occurredAt, payload: { ...p, customerId: customer, createdAt: occurredAt, serviceGuideId: leaving!.id } };
      };
      const early = sale(earlier);
      const before = await credits(leaving!.id);
      await ok('POST', `/admin/v1/staff/${leaving!.id}/offboard`, { requestId: 'off-9', rule: 'successor', successorId: successor!.id });
      now = at(1);
      const later = sale(now.toISOString());
      // Both reach HQ after the offboarding (the device was offline); each is judged as of when it happened.
      expect((await push(device, [early, later])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
      const purchases = await db.query<{ id: string; service_guide_id: string; sales_staff_id: string }>(
        'SELECT id, service_guide_id, sales_staff_id FROM customer_purchase WHERE customer_id = $1 AND id = ANY($2) ORDER BY at',
        [customer, [early, later].map((e) => (e.payload as unknown as { saleId: string }).saleId)],
      );
      expect(purchases.map((p) => p.service_guide_id)).toEqual([leaving!.id, successor!.id]);
      expect(purchases.every((p) => p.sales_staff_id === leaving!.id)).toBe(true);
      const after = await credits(leaving!.id);
      // The sample book's history counts too: only what these two sales added is compared.
      expect({ service: after.service - before.service, sales: after.sales - before.sales }).toEqual({ service: 1, sales: 2 });
    });
  });
});
