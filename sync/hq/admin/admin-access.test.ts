import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { HqDb } from '../db.js';
import { ADMIN_TOKEN_TTL_MS, setAdminPassword } from './admin-users.js';
import { testBackends } from '../testing/backends.js';
import { raceHeldTransaction } from '../testing/lock-waiter.js';
import { TEST_ADMIN, httpCall, openTestHqDb, startTestHq, testDevice } from '../testing/test-hq.js';
import type { HttpAnswer, TestHq } from '../testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS } from '../testing/use-test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorCode = (answer: HttpAnswer): string | undefined => (answer.body as { error?: { code?: string } }).error?.code;

describe.each(backends)('admin sessions and devices on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  // HQ's clock, moved by the tests: expiry and lockout windows pass without waiting.
  let now = Date.UTC(2026, 10, 22, 2, 0, 0);
  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 10, customers: 2 });
    hq = await startTestHq(db, { clock: () => new Date(now) });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await hq?.close();
    await db?.close();
  });

  const login = (password: string): Promise<HttpAnswer> =>
    httpCall(`${hq.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: TEST_ADMIN.name, password }),
    });
  const devices = (token: string) => hq.admin('GET', '/admin/v1/devices', undefined, { token });

  it('ends a session when its token expires, by HQ’s clock', async () => {
    const answer = await login(TEST_ADMIN.password);
    expect(answer.status).toBe(200);
    const { token, expiresAt } = answer.body as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt)).toBe(now + ADMIN_TOKEN_TTL_MS);
    now += ADMIN_TOKEN_TTL_MS - 1000;
    expect((await devices(token)).status).toBe(200);
    now += 1000;
    const expired = await devices(token);
    expect(expired.status).toBe(401);
    expect(errorCode(expired)).toBe('unauthenticated');
    expect((expired.body as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('ends an admin’s sessions when their password changes, and keeps them when it is set again unchanged', async () => {
    const { token } = (await login(TEST_ADMIN.password)).body as { token: string };
    // HQ's start sets SHOPFLOOR_ADMIN_PASSWORD every time: the same password logs no one out.
    await setAdminPassword(db, TEST_ADMIN.name, TEST_ADMIN.password);
    expect((await devices(token)).status).toBe(200);
    // A new one (a leaked password reset) ends every session opened with the old one.
    try {
      await setAdminPassword(db, TEST_ADMIN.name, 'a brand new password');
      expect((await devices(token)).status).toBe(401);
    } finally {
      await setAdminPassword(db, TEST_ADMIN.name, TEST_ADMIN.password);
    }
    expect((await login(TEST_ADMIN.password)).status).toBe(200);
  });

  it('locks logins out (429) after 10 wrong passwords in a minute, even with the right one, and lets them in after it', async () => {
    now += 3600_000;
    for (let i = 0; i < 10; i++) expect((await login('wrong-password')).status).toBe(401);
    const locked = await login(TEST_ADMIN.password);
    expect(locked.status).toBe(429);
    expect((locked.body as { error: { message: string } }).error.message).toMatch(/too many failed logins/);
    now += 59_000;
    expect((await login(TEST_ADMIN.password)).status).toBe(429);
    now += 1000;
    const after = await login(TEST_ADMIN.password);
    expect(after.status).toBe(200);
    expect((await devices((after.body as { token: string }).token)).status).toBe(200);
  });

  it('refuses an anonymous admin request (401) before reading or parsing its body', async () => {
    const anonymous = ['/admin/v1/brands', '/admin/v1/staff', '/admin/v1/enrolment-codes', '/admin/v1/transfers', '/admin/v1/bindings'];
    for (const path of anonymous) {
      const answer = await httpCall(`${hq.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"not json',
      });
      expect({ path, status: answer.status, code: errorCode(answer) }).toEqual({ path, status: 401, code: 'unauthenticated' });
    }
  });

  it('refuses a login body far larger than a name and a password (413) unread', async () => {
    const answer = await httpCall(`${hq.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: TEST_ADMIN.name, password: 'x'.repeat(1_000_000) }),
    });
    expect(answer.status).toBe(413);
  });

  it.skipIf(backend.name !== 'postgres')(
    'a login checked against the old password while it changes opens no session that outlives the change',
    async () => {
      now += 3600_000;
      const fresh = 'a password after the leak';
      try {
        // Another HQ process starting with a new SHOPFLOOR_ADMIN_PASSWORD, holding the admin's row
        // while the login (which read the old hash) is on its way to storing its token.
        const answer = await raceHeldTransaction(
          db,
          async (sql) => {
            await sql.query('SELECT 1 FROM admin_user WHERE name = $1 FOR UPDATE', [TEST_ADMIN.name]);
            await setAdminPassword(sql, TEST_ADMIN.name, fresh);
          },
          () => login(TEST_ADMIN.password),
        );
        if (answer.status === 200) expect((await devices((answer.body as { token: string }).token)).status).toBe(401);
        else expect(answer.status).toBe(401);
      } finally {
        await setAdminPassword(db, TEST_ADMIN.name, TEST_ADMIN.password);
      }
    },
  );

  it('revokes a device named in capitals everywhere at once: its cached signed requests and its open live channel', async () => {
    now += 3600_000;
    const { token } = (await login(TEST_ADMIN.password)).body as { token: string };
    const device = await testDevice(hq);
    // Heard once: its row is cached in this process, and its live channel is open.
    expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    const ws = new WebSocket(`${hq.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`, { headers: device.sign('GET', SYNC_PATHS.live, '') });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    // A device id as IT may paste it: the same UUID, in capitals.
    const revoked = await hq.admin('POST', `/admin/v1/devices/${device.id.toUpperCase()}/revoke`, {}, { token });
    expect(revoked.status).toBe(200);
    expect(errorCode(await device.call('POST', SYNC_PATHS.hello, {}))).toBe('device_revoked');
    expect(await closed).toBe(4003);
  });

  it('revokes a device once; a second revoke answers the same revocation, says so, and changes nothing', async () => {
    now += 3600_000;
    const { token } = (await login(TEST_ADMIN.password)).body as { token: string };
    const device = await testDevice(hq);
    expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    const first = await hq.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {}, { token });
    expect(first.status).toBe(200);
    const revokedAt = new Date(now).toISOString();
    expect(first.body).toEqual({ id: device.id, status: 'revoked', revokedAt, alreadyRevoked: false });
    now += 60_000;
    const second = await hq.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {}, { token });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: device.id, status: 'revoked', revokedAt, alreadyRevoked: true });
    const [row] = await db.query<{ status: string; revoked_at: Date }>('SELECT status, revoked_at FROM device WHERE id = $1', [device.id]);
    expect(row).toEqual({ status: 'revoked', revoked_at: new Date(revokedAt) });
    // The device stays refused.
    expect(errorCode(await device.call('POST', SYNC_PATHS.hello, {}))).toBe('device_revoked');
  });
});

describe.each(backends)('one budget of failed logins for every HQ process on $name', (backend) => {
  // Behind haproxy a chain runs several HQ processes on one database: a guesser whose requests
  // are spread over them, or who waits for one to restart, must not get a new budget each time.
  let url: string | undefined;
  let dbs: HqDb[] = [];
  let hqs: TestHq[] = [];
  let now = Date.UTC(2026, 10, 23, 2, 0, 0);
  const clock = () => new Date(now);
  beforeAll(async () => {
    url = await backend.databaseUrl();
    dbs = [await openTestHqDb({ databaseUrl: url, skus: 10, customers: 2 })];
    hqs = [await startTestHq(dbs[0]!, { clock }), await startTestHq(await anotherPool(), { clock })];
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    for (const hq of hqs) await hq.close();
    for (const db of dbs) await db.close();
  });
  /** Another HQ process's pool on the same database (PGlite is one in-process database). */
  const anotherPool = async (): Promise<HqDb> => {
    if (!url) return dbs[0]!;
    const { openHqDb } = await import('../db.js');
    const db = await openHqDb({ databaseUrl: url });
    dbs.push(db);
    return db;
  };
  const loginAt = (hq: TestHq, password: string): Promise<number> =>
    httpCall(`${hq.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: TEST_ADMIN.name, password }),
    }).then((answer) => answer.status);

  it('counts wrong passwords sent to two processes against one budget, and a restarted process keeps it', async () => {
    now += 3600_000;
    const [one, two] = hqs as [TestHq, TestHq];
    for (let i = 0; i < 5; i++) {
      expect(await loginAt(one, 'wrong-password')).toBe(401);
      expect(await loginAt(two, 'wrong-password')).toBe(401);
    }
    expect(await loginAt(one, TEST_ADMIN.password)).toBe(429);
    expect(await loginAt(two, TEST_ADMIN.password)).toBe(429);
    // The second process restarts: the failures are still counted.
    await two.close();
    const restarted = await startTestHq(await anotherPool(), { clock });
    hqs[1] = restarted;
    expect(await loginAt(restarted, TEST_ADMIN.password)).toBe(429);
    now += 60_000;
    expect(await loginAt(restarted, TEST_ADMIN.password)).toBe(200);
  });

  it('gives guesses sent all at once to two processes ten tries between them', async () => {
    now += 3600_000;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => loginAt(hqs[i % 2]!, 'wrong-password')));
    expect(answers.filter((s) => s === 401)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(20);
  });
});
