import type { FedTable } from '../feed-triggers.js';

/**
 * What belongs to a store: its staff (with PIN hashes), customers, their member codes and
 * coupons, and stock. Fed to the store's scope (a warehouse's stock and a brand-wide coupon to the
 * brand's).
 *
 * Part of HQ migration 0001, which has shipped: this SQL text is, byte for byte, what 0001 ran
 * on every HQ database (0001-create-hq-sql.test.ts pins it, indentation included). Never edit
 * it; change the schema with a new migration.
 */
export const STORE_TABLES = `
      CREATE TABLE staff (
        id        text PRIMARY KEY,
        store_id  text NOT NULL REFERENCES location(id),
        code      text NOT NULL UNIQUE,
        name      text NOT NULL,
        role      text NOT NULL CHECK (role IN ('cashier', 'guide', 'manager')),
        active    boolean NOT NULL DEFAULT true,
        pin_salt  text NOT NULL,
        pin_hash  text NOT NULL
      );
      CREATE INDEX staff_store ON staff (store_id);

      CREATE TABLE customer (
        id          text PRIMARY KEY,
        store_id    text NOT NULL REFERENCES location(id),
        name        text NOT NULL,
        phone       text NOT NULL,
        tier        text NOT NULL CHECK (tier IN ('blue', 'silver', 'gold', 'platinum')),
        points      integer NOT NULL DEFAULT 0,
        guide_id    text REFERENCES staff(id),
        created_at  timestamptz NOT NULL
      );
      CREATE INDEX customer_store ON customer (store_id);

      CREATE TABLE member_code (
        code         text PRIMARY KEY,
        customer_id  text NOT NULL UNIQUE REFERENCES customer(id)
      );

      CREATE TABLE coupon (
        code           text PRIMARY KEY,
        brand          text NOT NULL REFERENCES brand(code),
        customer_id    text REFERENCES customer(id),
        kind           text NOT NULL CHECK (kind IN ('amount', 'threshold', 'percent')),
        name_zh        text NOT NULL,
        name_en        text NOT NULL,
        value_fen      integer NOT NULL DEFAULT 0,
        threshold_fen  integer NOT NULL DEFAULT 0,
        percent_bp     integer NOT NULL DEFAULT 0,
        stackable      boolean NOT NULL DEFAULT true,
        valid_from     timestamptz NOT NULL,
        valid_until    timestamptz NOT NULL,
        hq_status      text NOT NULL DEFAULT 'issued' CHECK (hq_status IN ('issued', 'used', 'revoked'))
      );
      CREATE INDEX coupon_customer ON coupon (customer_id);

      CREATE TABLE stock (
        location_id  text NOT NULL REFERENCES location(id),
        sku          text NOT NULL REFERENCES sku(sku),
        qty          integer NOT NULL,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (location_id, sku)
      );
`;

export const STORE_FEEDS: readonly FedTable[] = [
  {
    table: 'staff',
    feeds: [
      {
        kind: 'staff',
        rank: 5,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.store_id, t.code, t.name, t.role, t.active)',
      },
      {
        kind: 'staff_credential',
        rank: 6,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.pin_salt, t.pin_hash)',
      },
    ],
  },
  {
    table: 'customer',
    feeds: [
      {
        kind: 'customer',
        rank: 7,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.store_id, t.name, t.phone, t.tier, t.points, t.guide_id, sf_iso(t.created_at))',
      },
    ],
  },
  {
    table: 'member_code',
    feeds: [
      {
        kind: 'member_code',
        rank: 8,
        movable: true,
        scope: `'store:' || c.store_id`,
        key: 't.code',
        keyValues: 'json_build_array(t.code)',
        row: 'json_build_array(t.code, t.customer_id)',
        from: 'JOIN customer c ON c.id = t.customer_id',
      },
    ],
  },
  {
    table: 'coupon',
    feeds: [
      {
        kind: 'coupon',
        rank: 9,
        movable: true,
        scope: `coalesce('store:' || c.store_id, 'brand:' || t.brand)`,
        key: 't.code',
        keyValues: 'json_build_array(t.code)',
        // The line break and the 16 spaces after it are part of the shipped SQL.
        row: `json_build_array(t.code, t.customer_id, t.kind, t.name_zh, t.name_en, t.value_fen, t.threshold_fen, t.percent_bp, t.stackable,
                sf_iso(t.valid_from), sf_iso(t.valid_until), t.hq_status)`,
        from: 'LEFT JOIN customer c ON c.id = t.customer_id',
      },
    ],
  },
  {
    table: 'stock',
    feeds: [
      {
        kind: 'stock',
        rank: 10,
        // A store's stock goes to that store; a warehouse's to the whole brand (endless aisle).
        scope: `CASE WHEN l.kind = 'store' THEN 'store:' || t.location_id ELSE 'brand:' || l.brand END`,
        key: `t.location_id || '|' || t.sku`,
        keyValues: 'json_build_array(t.location_id, t.sku)',
        row: 'json_build_array(t.location_id, t.sku, t.qty, sf_iso(t.updated_at))',
        from: 'JOIN location l ON l.id = t.location_id',
      },
    ],
  },
];
