import type { Migration } from '../migrate.js';

/**
 * What HQ settles of coupons and points, as the device learns it from the feed:
 * - `store_policy`: what the store lets a till redeem while HQ cannot be asked (refuse, or up to a
 *   limit per member per day).
 * - `sale_settlement`: HQ's outcome for a sale that used or earned a member's points or coupons —
 *   what it burnt and credited, and a conflict it found (a coupon already spent elsewhere, points
 *   overdrawn) with the amount at risk. A spend or earn of a sale with no settlement yet is still
 *   this device's to count; once settled, HQ's balance already holds it.
 */
const migration: Migration = {
  version: 5,
  name: 'create-settlement',
  up: (db) => {
    db.exec(`
      CREATE TABLE store_policy (
        store_id                 TEXT PRIMARY KEY,
        offline_redeem           TEXT NOT NULL CHECK (offline_redeem IN ('refuse', 'limit')),
        offline_points_per_day   INTEGER NOT NULL,
        offline_coupons_per_day  INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE sale_settlement (
        sale_id        TEXT PRIMARY KEY,
        customer_id    TEXT,
        points_burnt   INTEGER NOT NULL,
        points_earned  INTEGER NOT NULL,
        conflict       TEXT,
        at_risk_fen    INTEGER NOT NULL,
        settled_at     TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sale_settlement_conflict ON sale_settlement(settled_at) WHERE conflict IS NOT NULL;
    `);
  },
};

export default migration;
