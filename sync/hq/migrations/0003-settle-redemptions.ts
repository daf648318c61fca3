import type { HqMigration } from '../migrate.js';
import { feedTriggersV1 } from './feed-triggers.js';

/**
 * Coupons and points are settled at HQ, not on the till that spent them:
 * - `points_entry`: the points ledger, one entry per kind per event (earn, burn, restore),
 *   idempotent by event id; `customer.points` is its running balance and reaches the member's
 *   store through the existing customer feed.
 * - `coupon.redeemed_*`: which sale used a coupon (`hq_status` 'used'); a full return restores it
 *   ('issued' again).
 * - `sale_settlement` (fed to the store): per sale with a member's points or coupons, what HQ burnt
 *   and credited and the conflict it found, so every till of the store stops counting its own
 *   spend and shows HQ's figures.
 * - `settlement_conflict`: for HQ finance, a redemption HQ found already spent (a coupon used on
 *   another till, points overdrawn) — the sale stands; this lists the amount at risk.
 * - `redemption_hold`: an online till's short hold on a coupon or on points before tendering.
 * - `store_policy` (fed to the store): what a till may redeem while HQ cannot be asked.
 */
const migration: HqMigration = {
  version: 3,
  name: 'settle-redemptions',
  up: async (sql) => {
    await sql.exec(`
      CREATE TABLE points_entry (
        id           bigserial PRIMARY KEY,
        customer_id  text NOT NULL REFERENCES customer(id),
        event_id     uuid NOT NULL,
        sale_id      text,
        kind         text NOT NULL CHECK (kind IN ('earn', 'burn', 'restore')),
        points       integer NOT NULL,
        at           timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, kind)
      );
      CREATE INDEX points_entry_customer ON points_entry (customer_id, at);

      ALTER TABLE coupon ADD COLUMN redeemed_sale_id text;
      ALTER TABLE coupon ADD COLUMN redeemed_at timestamptz;
      ALTER TABLE coupon ADD COLUMN redeemed_store_id text;

      CREATE TABLE sale_settlement (
        sale_id        text PRIMARY KEY,
        store_id       text NOT NULL REFERENCES location(id),
        customer_id    text,
        points_burnt   integer NOT NULL,
        points_earned  integer NOT NULL,
        conflict       text,
        at_risk_fen    bigint NOT NULL DEFAULT 0,
        settled_at     timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE settlement_conflict (
        id            bigserial PRIMARY KEY,
        event_id      uuid NOT NULL UNIQUE,
        sale_id       text NOT NULL,
        receipt_no    text NOT NULL,
        store_id      text NOT NULL,
        device_id     uuid NOT NULL,
        customer_id   text,
        coupons       text[] NOT NULL DEFAULT '{}',
        points        integer NOT NULL DEFAULT 0,
        at_risk_fen   bigint NOT NULL,
        detail        text NOT NULL,
        offline       boolean NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        resolved_at   timestamptz,
        resolution    text
      );
      CREATE INDEX settlement_conflict_open ON settlement_conflict (store_id, created_at) WHERE resolved_at IS NULL;

      CREATE TABLE redemption_hold (
        kind         text NOT NULL CHECK (kind IN ('coupon', 'points')),
        key          text NOT NULL,
        device_id    uuid NOT NULL,
        cart_id      text NOT NULL,
        points       integer NOT NULL DEFAULT 0,
        expires_at   timestamptz NOT NULL,
        PRIMARY KEY (kind, key, device_id, cart_id)
      );
      CREATE INDEX redemption_hold_cart ON redemption_hold (device_id, cart_id);

      CREATE TABLE store_policy (
        store_id                 text PRIMARY KEY REFERENCES location(id),
        offline_redeem           text NOT NULL DEFAULT 'limit' CHECK (offline_redeem IN ('refuse', 'limit')),
        offline_points_per_day   integer NOT NULL DEFAULT 5000 CHECK (offline_points_per_day >= 0),
        offline_coupons_per_day  integer NOT NULL DEFAULT 2 CHECK (offline_coupons_per_day >= 0)
      );
    `);
    await sql.exec(
      feedTriggersV1('store_policy', [
        {
          kind: 'store_policy',
          rank: 12,
          scope: `'store:' || t.store_id`,
          key: 't.store_id',
          keyValues: 'json_build_array(t.store_id)',
          row: 'json_build_array(t.store_id, t.offline_redeem, t.offline_points_per_day, t.offline_coupons_per_day)',
        },
      ]),
    );
    await sql.exec(
      feedTriggersV1('sale_settlement', [
        {
          kind: 'sale_settlement',
          rank: 13,
          scope: `'store:' || t.store_id`,
          key: 't.sale_id',
          keyValues: 'json_build_array(t.sale_id)',
          row: 'json_build_array(t.sale_id, t.customer_id, t.points_burnt, t.points_earned, t.conflict, t.at_risk_fen, sf_iso(t.settled_at))',
        },
      ]),
    );
    // Every store gets the default policy (fed to its devices by the insert trigger just made), and so does every store opened later.
    await sql.exec(`
      INSERT INTO store_policy (store_id) SELECT id FROM location WHERE kind = 'store';
      CREATE FUNCTION sf_store_policy_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO store_policy (store_id) VALUES (NEW.id) ON CONFLICT (store_id) DO NOTHING;
        RETURN NULL;
      END $$;
      CREATE TRIGGER store_policy_default AFTER INSERT ON location FOR EACH ROW WHEN (NEW.kind = 'store') EXECUTE FUNCTION sf_store_policy_default();
    `);
  },
};

export default migration;
