import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { TEST_ADMIN, httpCall } from '../testing/test-hq.js';
import type { HttpAnswer, TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';
import { ADMIN_PREFIX } from './admin-routes.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorOf = (answer: HttpAnswer) => (answer.body as { error?: { code?: string; message?: string } }).error ?? {};

describe.each(backends)('ending admin access on $name', (backend) => {
  let hq: TestHq;
  let db: HqDb;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  const login = (name: string, password: string) =>
    httpCall(`${hq.url}${ADMIN_PREFIX}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
  const tokenOfLogin = async (name: string, password: string): Promise<string> => {
    const answer = await login(name, password);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (answer.body as { token: string }).token;
  };
  const me = (token: string) => hq.admin('GET', `${ADMIN_PREFIX}/me`, undefined, { token });
  const logout = (token: string | null) => hq.admin('POST', `${ADMIN_PREFIX}/logout`, undefined, { token });
  const account = (name: string, role: string, password?: string) =>
    hq.admin('PUT', `${ADMIN_PREFIX}/admin-users/${name}`, password === undefined ? { role } : { role, password });
  const disable = (name: string, token?: string) =>
    hq.admin('DELETE', `${ADMIN_PREFIX}/admin-users/${name}`, undefined, token === undefined ? {} : { token });

  it('sign-out ends that token at HQ at once, a second sign-out answers the same, and the account’s other sessions stay', async () => {
    const shared = await tokenOfLogin(TEST_ADMIN.name, TEST_ADMIN.password);
    const other = await tokenOfLogin(TEST_ADMIN.name, TEST_ADMIN.password);
    expect((await me(shared)).status).toBe(200);

    const out = await logout(shared);
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    // Whoever copied the token off the shared PC is locked out now, not in 12 hours.
    const after = await me(shared);
    expect(after.status).toBe(401);
    expect(errorOf(after).code).toBe('unauthenticated');
    // A retry of the sign-out (the console's first answer lost) is not an error.
    expect((await logout(shared)).status).toBe(200);
    expect((await me(other)).status).toBe(200);
    // No token at all is not a sign-out of anything.
    expect(errorOf(await logout(null)).code).toBe('unauthenticated');
  });

  it('an owner disables a clerk who left: their open session and their login are refused at once; the account stays listed as disabled', async () => {
    expect((await account('leaving-clerk', 'finance', 'leaving password 1')).status).toBe(200);
    const open = await tokenOfLogin('leaving-clerk', 'leaving password 1');
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token: open })).status).toBe(200);

    // Only an owner ends another's access.
    const byClerk = await disable(TEST_ADMIN.name, open);
    expect(byClerk.status).toBe(403);

    const disabled = await disable('leaving-clerk');
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body).toEqual({ name: 'leaving-clerk', role: 'finance', disabled: true });
    expect((await hq.admin('GET', `${ADMIN_PREFIX}/settlement-conflicts`, undefined, { token: open })).status).toBe(401);
    const refused = await login('leaving-clerk', 'leaving password 1');
    expect(refused.status).toBe(401);
    expect(errorOf(refused).code).toBe('unauthenticated');
    // Disabling again changes nothing and is not an error; an unknown name is.
    expect((await disable('leaving-clerk')).status).toBe(200);
    expect((await disable('never-was-here')).status).toBe(404);
    // Kept for the audit trail (who resolved what), shown as disabled.
    const listed = await hq.admin('GET', `${ADMIN_PREFIX}/admin-users`);
    expect((listed.body as { admins: unknown[] }).admins).toContainEqual({ name: 'leaving-clerk', role: 'finance', disabled: true });
    expect((listed.body as { admins: unknown[] }).admins).toContainEqual({ name: TEST_ADMIN.name, role: 'owner', disabled: false });

    // Changing the role leaves it disabled; a new password from an owner opens it again.
    expect((await account('leaving-clerk', 'operations')).body).toEqual({ name: 'leaving-clerk', role: 'operations', disabled: true });
    expect((await login('leaving-clerk', 'leaving password 1')).status).toBe(401);
    expect((await account('leaving-clerk', 'finance', 'back again password')).body).toEqual({
      name: 'leaving-clerk',
      role: 'finance',
      disabled: false,
    });
    expect((await me(await tokenOfLogin('leaving-clerk', 'back again password'))).status).toBe(200);
  });

  it('the last owner cannot be disabled, and a disabled owner does not count as the other owner', async () => {
    const self = await disable(TEST_ADMIN.name);
    expect(self.status).toBe(409);
    expect(errorOf(self).message).toMatch(/last owner/);
    expect((await me(await hq.adminToken())).status).toBe(200);

    // A second owner, then disabled: the test admin is the last owner again.
    expect((await account('second-owner', 'owner', 'second owner password')).status).toBe(200);
    expect((await disable('second-owner')).status).toBe(200);
    const again = await disable(TEST_ADMIN.name);
    expect(again.status).toBe(409);
    expect(errorOf(again).message).toMatch(/last owner/);
    const demote = await account(TEST_ADMIN.name, 'it');
    expect(demote.status).toBe(409);
    expect(errorOf(demote).message).toMatch(/last owner/);
    const [row] = await db.query<{ role: string }>('SELECT role FROM admin_user WHERE name = $1', [TEST_ADMIN.name]);
    expect(row?.role).toBe('owner');
  });
});
