import { afterAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../admin/admin-users.js';
import { testBackends } from '../testing/backends.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { startTestHq } from '../testing/test-hq.js';
import adminRoles from './0022-admin-roles.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration admin-roles on $name', (backend) => {
  it('makes every existing admin an owner, whose open session goes on working, owner-only routes included', async () => {
    const token = 'a-session-token-opened-before-the-upgrade';
    const upgrade = await upgradeHq(backend, {
      from: adminRoles.version - 1,
      seed: async (db) => {
        await db.query("INSERT INTO admin_user (name, password_salt, password_hash) VALUES ('boss', '00', 'ab'), ('it-desk', '01', 'cd')");
        await db.query("INSERT INTO admin_token (token_hash, admin, expires_at) VALUES ($1, 'boss', '2999-01-01Z')", [tokenHash(token)]);
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      expect(await db.query('SELECT name, role FROM admin_user ORDER BY name')).toEqual([
        { name: 'boss', role: 'owner' },
        { name: 'it-desk', role: 'owner' },
      ]);
      await expect(db.query("UPDATE admin_user SET role = 'root' WHERE name = 'boss'")).rejects.toThrow(/check constraint/);
      const hq = await startTestHq(db);
      try {
        expect((await hq.admin('GET', '/admin/v1/me', undefined, { token })).body).toEqual({ name: 'boss', role: 'owner' });
        const admins = await hq.admin('GET', '/admin/v1/admin-users', undefined, { token });
        expect(admins.status).toBe(200);
      } finally {
        await hq.close();
      }
    } finally {
      await upgrade.close();
    }
  });
});
