import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { adminLogin, setAdminPassword } from './admin-users.js';
import { testBackends } from '../testing/backends.js';
import { lockWaiter } from '../testing/lock-waiter.js';
import type { TestHq } from '../testing/test-hq.js';
import { TEST_STORE } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';

// Finance's routes, answered as an admin calls them: the settlement conflicts (open ones by
// default, a store's), and a store's policy for redeeming while HQ cannot be asked. The refund
// exceptions are driven end to end from a till in sync/faults/refund-money.test.ts.

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('finance routes on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));
  let other: string;

  beforeEach(async () => {
    await db.exec('DELETE FROM settlement_conflict');
    [{ id: other } = { id: '' }] = await db.query<{ id: string }>(
      `SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1`,
      [TEST_STORE],
    );
  });

  /** A conflict of `store`, `hoursAgo` old, resolved or not. */
  const conflict = (receiptNo: string, store: string, hoursAgo: number, resolved: boolean) =>
    db.query(
      `INSERT INTO settlement_conflict (event_id, sale_id, receipt_no, store_id, device_id, customer_id, coupons, points, at_risk_fen, detail, offline, created_at, resolved_at, resolution)
       VALUES (gen_random_uuid(), $1, $1, $2, gen_random_uuid(), 'cus-1', '{CPN-1}', 300, 3300, 'coupon CPN-1 was already used', true,
               now() - make_interval(hours => $3), CASE WHEN $4 THEN now() END, CASE WHEN $4 THEN 'written off' END)`,
      [receiptNo, store, hoursAgo, resolved],
    );
  /** Resolves conflict `rowId` as the test admin, as the admin of `token`, or with no token (`null`). */
  const resolve = (rowId: string, body: unknown, token?: string | null) =>
    hq.admin('POST', `/admin/v1/settlement-conflicts/${rowId}/resolve`, body, token === undefined ? undefined : { token });
  const listed = async (query = '') => {
    const answer = await hq.admin('GET', `/admin/v1/settlement-conflicts${query}`);
    expect(answer.status).toBe(200);
    return (answer.body as { conflicts: { receiptNo: string }[] }).conflicts;
  };

  it('lists the open conflicts newest first, all of them on request, and one store’s', async () => {
    expect(other).toMatch(/^loc-S/);
    await conflict('R-OLD', TEST_STORE, 3, false);
    await conflict('R-NEW', TEST_STORE, 1, false);
    await conflict('R-DONE', TEST_STORE, 2, true);
    await conflict('R-ELSE', other, 0, false);
    expect((await listed()).map((c) => c.receiptNo)).toEqual(['R-ELSE', 'R-NEW', 'R-OLD']);
    expect((await listed('?open=false')).map((c) => c.receiptNo)).toEqual(['R-ELSE', 'R-NEW', 'R-DONE', 'R-OLD']);
    expect(await listed('?open=true')).toEqual(await listed());
    expect((await listed(`?storeId=${TEST_STORE}`)).map((c) => c.receiptNo)).toEqual(['R-NEW', 'R-OLD']);
    const [first] = await listed(`?storeId=${other}`);
    expect(first).toMatchObject({
      receiptNo: 'R-ELSE',
      storeId: other,
      customerId: 'cus-1',
      coupons: ['CPN-1'],
      points: 300,
      atRiskFen: 3300,
      detail: 'coupon CPN-1 was already used',
      offline: true,
      resolvedAt: null,
    });
    expect((await hq.admin('GET', '/admin/v1/settlement-conflicts?open=maybe')).status).toBe(400);
    expect((await hq.admin('GET', '/admin/v1/settlement-conflicts', undefined, { token: null })).status).toBe(401);
  });

  it('resolves a conflict once, as the admin calling: it leaves the open list with who, when and how', async () => {
    await conflict('R-1', TEST_STORE, 1, false);
    await conflict('R-2', TEST_STORE, 2, false);
    const [{ id }] = (await listed()) as unknown as [{ id: string }];
    const resolution = 'coupon honoured; cost booked to the store';
    const first = await resolve(id, { resolution: `  ${resolution} ` });
    expect(first).toEqual({ status: 200, body: { id, resolvedAt: expect.any(String), resolvedBy: 'admin', resolution } });
    expect((await listed()).map((c) => c.receiptNo)).toEqual(['R-2']);
    expect((await listed('?open=false'))[0]).toMatchObject({ id, receiptNo: 'R-1', resolvedBy: 'admin', resolution });
    // Asked again the same (its answer was lost): the same answer. Resolved otherwise: refused, saying how.
    expect(await resolve(id, { resolution })).toEqual(first);
    const again = await resolve(id, { resolution: 'written off' });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain(
      `already resolved by admin at ${(first.body as { resolvedAt: string }).resolvedAt}: ${resolution}`,
    );
    expect(again.body).toMatchObject({ error: { code: 'bad_request' } });
    // Another admin with the same words is refused too: the record says who decided.
    await setAdminPassword(db, 'finance-2', 'a long enough password');
    const { token } = await adminLogin(db, 'finance-2', 'a long enough password', new Date());
    expect((await resolve(id, { resolution }, token)).status).toBe(409);
    expect(await resolve('999999999', { resolution })).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no row 999999999 in this list' } },
    });
    for (const [rowId, body] of [
      ['abc', { resolution }],
      ['0', { resolution }],
      [id, { resolution: '   ' }],
      [id, { resolution: 'x'.repeat(501) }],
      [id, {}],
      [id, { resolution, extra: 1 }],
    ] as const)
      expect((await resolve(rowId, body)).status).toBe(400);
    const [{ id: other2 }] = (await listed()) as unknown as [{ id: string }];
    expect((await resolve(other2, { resolution }, null)).status).toBe(401);
    // Nothing refused resolved the other conflict.
    expect(
      await db.query(`SELECT receipt_no, resolved_at, resolved_by, resolution FROM settlement_conflict WHERE id = $1`, [other2]),
    ).toEqual([{ receipt_no: 'R-2', resolved_at: null, resolved_by: null, resolution: null }]);
    // A row resolved before HQ kept who resolved it says so.
    await conflict('R-OLD', TEST_STORE, 3, true);
    const [old] = (await listed('?open=false')).filter((c) => c.receiptNo === 'R-OLD') as unknown as [{ id: string }];
    expect(JSON.stringify((await resolve(old.id, { resolution })).body)).toContain('already resolved by an earlier HQ at ');
  });

  // Two HQ processes (or two clicks) resolve the same row at once. The second UPDATE waits on the
  // first's row lock, finds the row resolved and updates nothing; under READ COMMITTED a read in
  // that same statement still sees the snapshot taken before the first committed: the row as it
  // was, open (that was a 500). The answer must be the same as when the calls come one after the other.
  it.skipIf(backend.name === 'pglite')(
    'answers a resolve that waited on a concurrent one as it answers one that came after it',
    async () => {
      const first = 'coupon honoured; cost booked to the store';
      const raced = async (receiptNo: string, resolution: string) => {
        await conflict(receiptNo, TEST_STORE, 1, false);
        const [{ id }] = (await db.query<{ id: string }>(`SELECT id::text AS id FROM settlement_conflict WHERE receipt_no = $1`, [
          receiptNo,
        ])) as [{ id: string }];
        const { call } = await db.tx(async (t) => {
          // The other resolve, as the route writes it, holding the row until the call below waits on it.
          await t.query(`UPDATE settlement_conflict SET resolved_at = now(), resolved_by = 'admin', resolution = $2 WHERE id = $1`, [
            id,
            first,
          ]);
          const call = resolve(id, { resolution });
          await lockWaiter(db, 'the resolve never waited on the row lock');
          return { call };
        });
        return call;
      };
      // Another resolution: refused, naming the first.
      const other = await raced('R-RACE-1', 'written off');
      expect(other.status).toBe(409);
      expect(JSON.stringify(other.body)).toContain(`already resolved by admin`);
      // The same resolution by the same admin (a retry racing its lost original): the same answer.
      const same = await raced('R-RACE-2', first);
      expect(same).toEqual({
        status: 200,
        body: { id: expect.any(String), resolvedAt: expect.any(String), resolvedBy: 'admin', resolution: first },
      });
    },
  );

  it('sets a store’s offline policy, and refuses an unknown store, a malformed policy and a caller without a token', async () => {
    const policy = { offlineRedeem: 'refuse', offlinePointsPerDay: 1000, offlineCouponsPerDay: 1 };
    const put = (store: string, body: unknown, token?: null) =>
      hq.admin('PUT', `/admin/v1/stores/${store}/policy`, body, token === null ? { token: null } : undefined);
    expect(await put(TEST_STORE, policy)).toEqual({ status: 200, body: { storeId: TEST_STORE, ...policy } });
    const row = () =>
      db.query(`SELECT offline_redeem, offline_points_per_day, offline_coupons_per_day FROM store_policy WHERE store_id = $1`, [
        TEST_STORE,
      ]);
    expect(await row()).toEqual([{ offline_redeem: 'refuse', offline_points_per_day: 1000, offline_coupons_per_day: 1 }]);
    expect(await put('loc-NOPE', policy)).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'no store loc-NOPE' } } });
    for (const bad of [
      { ...policy, offlineRedeem: 'always' },
      { ...policy, offlinePointsPerDay: -1 },
      { ...policy, offlineCouponsPerDay: 101 },
      { ...policy, extra: true },
    ])
      expect((await put(TEST_STORE, bad)).status).toBe(400);
    expect((await put(TEST_STORE, { ...policy, offlineRedeem: 'limit' }, null)).status).toBe(401);
    // Nothing refused changed the store's policy.
    expect(await row()).toEqual([{ offline_redeem: 'refuse', offline_points_per_day: 1000, offline_coupons_per_day: 1 }]);
    expect((await put(TEST_STORE, { ...policy, offlineRedeem: 'limit' })).status).toBe(200);
    expect(await row()).toEqual([{ offline_redeem: 'limit', offline_points_per_day: 1000, offline_coupons_per_day: 1 }]);
  });
});
