import type { HqMigration } from '../migrate.js';

/**
 * An owner can disable an admin account (a finance clerk who left): `disabled_at` says since when.
 * The row stays, because the audit trail names who resolved what; a disabled account cannot log in
 * and its tokens are refused (sync/hq/admin/admin-users.ts). NULL, every existing account, is enabled.
 *
 * Additive: one nullable column. An HQ process of the previous version, still running during a
 * rolling upgrade, does not read it; the disable also deletes the account's tokens, so that process
 * refuses them too, though it would still let the account log in until it is upgraded.
 *
 * Shipped once released: never edit it; a change is a new migration.
 */
const migration: HqMigration = {
  version: 23,
  name: 'admin-disabled',
  up: async (sql) => {
    await sql.exec('ALTER TABLE admin_user ADD COLUMN disabled_at timestamptz');
  },
};

export default migration;
