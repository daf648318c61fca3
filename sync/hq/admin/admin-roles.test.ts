import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { TEST_ADMIN, httpCall, testDevice } from '../testing/test-hq.js';
import type { HttpAnswer, TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';
import { ADMIN_ROLES, ADMIN_ROUTE_ROLES } from './admin-roles.js';
import type { AdminRole } from './admin-roles.js';
import { ADMIN_PREFIX, registerAdminRoutes } from './admin-routes.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorOf = (answer: HttpAnswer) => (answer.body as { error?: { code?: string; message?: string } }).error ?? {};

/** A path of the table with its parameters filled in (values that pass no check but reach the handler). */
function concrete(path: string): string {
  return `${ADMIN_PREFIX}${path}`
    .replace(':deviceId', '01a205ef-26ba-7000-ba66-62b1669402d8')
    .replace(':eventId', 'no-such-event')
    .replace(':storeId', 'loc-S999')
    .replace(':requestId', 'no-such-request')
    .replace(':name', 'no-such-account-x')
    .replace(':id', '01a205ef-26ba-7000-ba66-62b1669402d9');
}

describe('the admin route table', () => {
  it('names the roles of every admin route HQ registers, and no route HQ does not have', async () => {
    const app = Fastify();
    const registered: string[] = [];
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods)
        if (route.url.startsWith(`${ADMIN_PREFIX}/`) && method !== 'HEAD') registered.push(`${method} ${route.url}`);
    });
    // Registering needs no database: nothing is asked until a request comes.
    registerAdminRoutes(app, { db: null as unknown as HqDb, clock: () => new Date(), log: () => undefined } as never, {
      forgetDevice: () => undefined,
      hqFingerprint: 'test',
    });
    await app.ready();
    await app.close();
    const declared = Object.keys(ADMIN_ROUTE_ROLES).map((key) => key.replace(' ', ` ${ADMIN_PREFIX}`));
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((route) => !declared.includes(route))).toEqual([]);
    expect(declared.filter((route) => !registered.includes(route))).toEqual([]);
  });

  it('refuses, at registration, an admin route the table does not name', () => {
    const app = Fastify();
    registerAdminRoutes(app, { db: null as unknown as HqDb, clock: () => new Date(), log: () => undefined } as never, {
      forgetDevice: () => undefined,
      hqFingerprint: 'test',
    });
    expect(() => app.get(`${ADMIN_PREFIX}/undeclared`, async () => ({}))).toThrow(/GET \/undeclared.*ADMIN_ROUTE_ROLES/);
  });
});

describe.each(backends)('admin roles on $name', (backend) => {
  let hq: TestHq;
  let db: HqDb;
  useTestHq(backend, (opened) => ({ db, hq } = opened));
  const tokens = new Map<AdminRole, string>();

  const login = (name: string, password: string) =>
    httpCall(`${hq.url}${ADMIN_PREFIX}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
  /** An account of `role`, made by the test admin (an owner) through the API, and a token of it. */
  const tokenOf = async (role: AdminRole): Promise<string> => {
    const known = tokens.get(role);
    if (known) return known;
    const made = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/${role}-clerk`, { password: `${role} password 1`, role });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const answer = await login(`${role}-clerk`, `${role} password 1`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: `${role}-clerk`, role });
    const token = (answer.body as { token: string }).token;
    tokens.set(role, token);
    return token;
  };

  it('the test admin is an owner: its login and /me say so', async () => {
    const answer = await login(TEST_ADMIN.name, TEST_ADMIN.password);
    expect(answer.body).toMatchObject({ name: TEST_ADMIN.name, role: 'owner' });
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/me`)).body).toEqual({ name: TEST_ADMIN.name, role: 'owner' });
  });

  it('a finance clerk cannot revoke a till or offboard staff (403, naming the role needed), and works the settlement lists', async () => {
    const token = await tokenOf('finance');
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/me`, undefined, { token })).body).toEqual({ name: 'finance-clerk', role: 'finance' });
    const device = await testDevice(hq);
    const revoke = await hq.admin('POST', `${ADMIN_PREFIX}/devices/${device.id}/revoke`, {}, { token });
    expect(revoke.status).toBe(403);
    expect(errorOf(revoke)).toEqual({
      code: 'forbidden',
      message: expect.stringMatching(/needs the role it or owner.*finance-clerk is finance/),
    });
    const [row] = await db.query<{ status: string }>('SELECT status FROM device WHERE id = $1', [device.id]);
    expect(row?.status).toBe('active');

    const [staff] = await db.query<{ id: string }>("SELECT id FROM staff WHERE role = 'guide' AND active ORDER BY id LIMIT 1");
    const offboard = await hq.admin(
      'POST',
      `${ADMIN_PREFIX}/staff/${staff!.id}/offboard`,
      { requestId: 'finance-tries', rule: 'pool' },
      { token },
    );
    expect(offboard.status).toBe(403);
    expect(errorOf(offboard).message).toMatch(/operations or owner/);
    expect((await db.query<{ active: boolean }>('SELECT active FROM staff WHERE id = $1', [staff!.id]))[0]?.active).toBe(true);
    const transfer = await hq.admin('POST', `${ADMIN_PREFIX}/transfers`, { not: 'read' }, { token });
    expect(transfer.status).toBe(403);

    const conflicts = await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token });
    expect(conflicts.status).toBe(200);
    expect(conflicts.body).toEqual({ conflicts: expect.any(Array) });
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/refund-exceptions`, undefined, { token })).status).toBe(200);
    // Past the guard: the row does not exist.
    expect((await hq.admin('POST', `${ADMIN_PREFIX}/settlement-conflicts/999999/resolve`, { resolution: 'x' }, { token })).status).toBe(
      404,
    );
  });

  it('IT revokes a till and cannot resolve finance’s rows or make accounts', async () => {
    const token = await tokenOf('it');
    const device = await testDevice(hq);
    expect((await hq.admin('POST', `${ADMIN_PREFIX}/devices/${device.id}/revoke`, {}, { token })).status).toBe(200);
    const resolve = await hq.admin('POST', `${ADMIN_PREFIX}/refund-exceptions/1/resolve`, { resolution: 'x' }, { token });
    expect(resolve.status).toBe(403);
    expect(errorOf(resolve).message).toMatch(/needs the role finance or owner/);
    const account = await hq.admin(
      'PUT',
      `${ADMIN_PREFIX}/admin-users/it-clerk`,
      { password: 'promoted password', role: 'owner' },
      { token },
    );
    expect(account.status).toBe(403);
    expect((await db.query<{ role: string }>("SELECT role FROM admin_user WHERE name = 'it-clerk'"))[0]?.role).toBe('it');
  });

  it('refuses a call outside the role before reading its body', async () => {
    const token = await tokenOf('finance');
    const answer = await httpCall(`${hq.url}${ADMIN_PREFIX}/catalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"not json',
    });
    expect(answer.status).toBe(403);
  });

  it.each(ADMIN_ROLES)('%s is refused exactly the routes the table does not give it (owner: none)', async (role) => {
    const token = role === 'owner' ? await hq.adminToken() : await tokenOf(role);
    const refused: string[] = [];
    const expected: string[] = [];
    for (const [key, access] of Object.entries(ADMIN_ROUTE_ROLES)) {
      if (access === 'anyone') continue;
      const [method, path] = key.split(' ') as [string, string];
      const answer = await hq.admin(method, concrete(path), method === 'GET' ? undefined : {}, { token });
      expect(answer.status, key).not.toBe(401);
      expect(answer.status, key).toBeLessThan(500);
      if (answer.status === 403) refused.push(key);
      if (access !== 'signed-in' && role !== 'owner' && !(access as readonly AdminRole[]).includes(role)) expected.push(key);
    }
    expect(refused).toEqual(expected);
    if (role !== 'owner') expect(refused.length).toBeGreaterThan(5);
  });

  it('only an owner makes accounts; a role outside the set is a clear 400; the last owner stays an owner', async () => {
    const bad = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/someone`, { password: 'a good password', role: 'root' });
    expect(bad.status).toBe(400);
    const short = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/someone`, { password: 'short', role: 'it' });
    expect(short.status).toBe(400);
    // A new account needs a password; an existing one's role changes without it.
    const none = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/someone`, { role: 'it' });
    expect(none.status).toBe(400);
    expect(errorOf(none).message).toMatch(/password/);
    const listed = await hq.admin('GET', `${ADMIN_PREFIX}/admin-users`);
    expect(listed.status).toBe(200);
    expect((listed.body as { admins: unknown[] }).admins).toContainEqual({ name: TEST_ADMIN.name, role: 'owner', disabled: false });
    // The only owner giving up the role would leave no one to manage accounts.
    const [owners] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM admin_user WHERE role = 'owner'");
    expect(owners?.n).toBe(1);
    const demote = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/${TEST_ADMIN.name}`, { password: TEST_ADMIN.password, role: 'it' });
    expect(demote.status).toBe(409);
    expect(errorOf(demote).message).toMatch(/last owner/);
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/me`)).body).toEqual({ name: TEST_ADMIN.name, role: 'owner' });
  });

  it('a role changed by an owner holds for the account’s open sessions at once', async () => {
    const token = await tokenOf('operations');
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token })).status).toBe(403);
    const changed = await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/operations-clerk`, { role: 'finance' });
    expect(changed.body).toEqual({ name: 'operations-clerk', role: 'finance', disabled: false });
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token })).status).toBe(200);
    await hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/operations-clerk`, { role: 'operations' });
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token })).status).toBe(403);
  });
});
