import type { HqMigration } from '../migrate.js';

/**
 * Admin accounts get a role (sync/hq/admin/admin-roles.ts): `owner` may do everything, managing
 * admin accounts included; `it`, `finance` and `operations` only their routes. Every account that
 * exists becomes an owner, so an upgraded HQ's admins keep what they could do and their sessions.
 *
 * The column keeps its default, `owner`: an HQ process of the previous version, still running
 * during a rolling upgrade, creates only the first `admin` (SHOPFLOOR_ADMIN_PASSWORD), who is the
 * owner, and writes no role. Today's HQ always writes the role it means.
 *
 * Additive: one column. Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 22,
  name: 'admin-roles',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE admin_user ADD COLUMN role text NOT NULL DEFAULT 'owner'
        CHECK (role IN ('owner', 'it', 'finance', 'operations'));
    `);
  },
};

export default migration;
