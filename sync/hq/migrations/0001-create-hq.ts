import type { HqMigration } from '../migrate.js';
import { BRAND_SCOPE, feedTriggersV1 } from './feed-triggers.js';
import type { FeedSpec } from './feed-triggers.js';

export type FedTable = { table: string; feeds: readonly FeedSpec[] };

/** The tables 0001 feeds to devices, in the order it created their triggers. Frozen with 0001. */
export const FED_TABLES_0001: readonly FedTable[] = [
  {
    table: 'location',
    feeds: [
      {
        kind: 'location',
        rank: 1,
        scope: BRAND_SCOPE,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.kind, t.code, t.name_zh, t.name_en, t.city_zh, t.city_en, t.lat, t.lng, t.timezone)',
      },
    ],
  },
  {
    table: 'style',
    feeds: [
      {
        kind: 'style',
        rank: 2,
        scope: BRAND_SCOPE,
        key: 't.code',
        keyValues: 'json_build_array(t.code)',
        row: 'json_build_array(t.code, t.brand, t.name_zh, t.name_en, t.category_zh, t.category_en, t.season, t.price_fen)',
      },
    ],
  },
  {
    table: 'sku',
    feeds: [
      {
        kind: 'sku',
        rank: 3,
        scope: BRAND_SCOPE,
        key: 't.sku',
        keyValues: 'json_build_array(t.sku)',
        row: 'json_build_array(t.sku, t.style_code, t.colour_code, t.colour_zh, t.colour_en, t.size, t.size_order, t.ean, t.price_fen, t.active)',
      },
    ],
  },
  {
    table: 'promotion',
    feeds: [
      {
        kind: 'promotion',
        rank: 4,
        scope: BRAND_SCOPE,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        // The line break and the 16 spaces after it are part of the shipped SQL.
        row: `json_build_array(t.id, t.kind, t.name_zh, t.name_en, t.scope::text, t.percent_bp, t.price_fen, t.threshold_fen, t.off_fen, t.repeat,
                t.coupons_allowed, t.with_item_promotions, sf_iso(t.valid_from), sf_iso(t.valid_until))`,
      },
    ],
  },
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
  {
    table: 'device',
    feeds: [
      {
        kind: 'device_profile',
        rank: 11,
        skipUnchanged: true,
        scope: `'device:' || t.id`,
        key: 't.id::text',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.store_id, t.receipt_code, t.status, t.profile::text)',
      },
    ],
  },
];

const migration: HqMigration = {
  version: 1,
  name: 'create-hq',
  up: async (sql) => {
    await sql.exec(`
      -- ISO-8601 UTC with milliseconds: the form the device stores and compares as text.
      CREATE FUNCTION sf_iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

      -- The change log: the latest state of every entity per scope, stamped with the id of the
      -- transaction that wrote it. Feeds are read below the oldest running transaction
      -- (pg_snapshot_xmin), so a transaction that commits late is never skipped.
      CREATE TABLE change (
        scope    text NOT NULL,
        kind     text NOT NULL,
        key      text NOT NULL,
        rank     smallint NOT NULL,
        xid      xid8 NOT NULL,
        row      json NOT NULL,
        deleted  boolean NOT NULL,
        PRIMARY KEY (scope, kind, key)
      );
      CREATE INDEX change_feed ON change (scope, xid, rank, key);

      CREATE TABLE brand (
        code     text PRIMARY KEY,
        name_zh  text NOT NULL,
        name_en  text NOT NULL
      );

      CREATE TABLE location (
        id        text PRIMARY KEY,
        brand     text NOT NULL REFERENCES brand(code),
        kind      text NOT NULL CHECK (kind IN ('store', 'warehouse')),
        code      text NOT NULL UNIQUE,
        name_zh   text NOT NULL,
        name_en   text NOT NULL,
        city_zh   text NOT NULL,
        city_en   text NOT NULL,
        lat       double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lng       double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
        timezone  text NOT NULL
      );

      CREATE TABLE style (
        code         text PRIMARY KEY,
        brand        text NOT NULL REFERENCES brand(code),
        name_zh      text NOT NULL,
        name_en      text NOT NULL,
        category_zh  text NOT NULL,
        category_en  text NOT NULL,
        season       text NOT NULL,
        price_fen    integer NOT NULL CHECK (price_fen >= 0)
      );

      CREATE TABLE sku (
        sku          text PRIMARY KEY,
        brand        text NOT NULL REFERENCES brand(code),
        style_code   text NOT NULL REFERENCES style(code),
        colour_code  text NOT NULL,
        colour_zh    text NOT NULL,
        colour_en    text NOT NULL,
        size         text NOT NULL,
        size_order   integer NOT NULL,
        ean          text NOT NULL UNIQUE CHECK (ean ~ '^[0-9]{13}$'),
        price_fen    integer NOT NULL CHECK (price_fen >= 0),
        active       boolean NOT NULL DEFAULT true
      );
      CREATE INDEX sku_style ON sku (style_code);

      CREATE TABLE promotion (
        id                    text PRIMARY KEY,
        brand                 text NOT NULL REFERENCES brand(code),
        kind                  text NOT NULL CHECK (kind IN ('percent_off', 'fixed_price', 'spend_threshold')),
        name_zh               text NOT NULL,
        name_en               text NOT NULL,
        scope                 jsonb NOT NULL,
        percent_bp            integer NOT NULL DEFAULT 0,
        price_fen             integer NOT NULL DEFAULT 0,
        threshold_fen         integer NOT NULL DEFAULT 0,
        off_fen               integer NOT NULL DEFAULT 0,
        repeat                boolean NOT NULL DEFAULT false,
        coupons_allowed       boolean NOT NULL DEFAULT true,
        with_item_promotions  boolean NOT NULL DEFAULT true,
        valid_from            timestamptz NOT NULL,
        valid_until           timestamptz NOT NULL
      );

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

      CREATE TABLE device (
        id              uuid PRIMARY KEY,
        store_id        text NOT NULL REFERENCES location(id),
        public_key      text NOT NULL,
        receipt_code    text NOT NULL,
        status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
        profile         jsonb NOT NULL DEFAULT '{}',
        app_version     text NOT NULL,
        hostname        text NOT NULL,
        enrolled_at     timestamptz NOT NULL DEFAULT now(),
        key_rotated_at  timestamptz,
        revoked_at      timestamptz,
        last_seen_at    timestamptz,
        UNIQUE (store_id, receipt_code)
      );

      -- One-time codes IT hands to a store; stored hashed, single use, expiring.
      CREATE TABLE enrolment_code (
        code_hash   text PRIMARY KEY,
        store_id    text NOT NULL REFERENCES location(id),
        created_by  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        device_id   uuid
      );

      -- Nonces of signed requests seen within the clock-skew window: a replay is refused.
      CREATE TABLE request_nonce (
        device_id  uuid NOT NULL,
        nonce      text NOT NULL,
        seen_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX request_nonce_seen ON request_nonce (seen_at);

      CREATE TABLE admin_user (
        name           text PRIMARY KEY,
        password_salt  text NOT NULL,
        password_hash  text NOT NULL
      );
      CREATE TABLE admin_token (
        token_hash  text PRIMARY KEY,
        admin       text NOT NULL REFERENCES admin_user(name),
        expires_at  timestamptz NOT NULL
      );

      -- Every event a device pushed, applied exactly once: the id is the idempotency key.
      -- hq_seq and received_at are HQ's order; occurred_at is the device's clock, only recorded.
      CREATE TABLE event (
        id           uuid PRIMARY KEY,
        hq_seq       bigserial UNIQUE,
        type         text NOT NULL,
        device_id    uuid NOT NULL REFERENCES device(id),
        store_id     text NOT NULL,
        staff_id     text,
        payload      jsonb NOT NULL,
        occurred_at  timestamptz NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_device ON event (device_id, hq_seq);

      CREATE TABLE sale (
        id                text PRIMARY KEY,
        event_id          uuid NOT NULL UNIQUE REFERENCES event(id),
        receipt_no        text NOT NULL UNIQUE,
        kind              text NOT NULL,
        store_id          text NOT NULL,
        device_id         uuid NOT NULL,
        staff_id          text NOT NULL,
        customer_id       text,
        original_sale_id  text,
        business_day      date NOT NULL,
        total_fen         bigint NOT NULL,
        net_fen           bigint NOT NULL,
        offline           boolean NOT NULL,
        created_at        timestamptz NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sale_store_day ON sale (store_id, business_day);

      CREATE TABLE sale_line (
        id          text PRIMARY KEY,
        sale_id     text NOT NULL REFERENCES sale(id),
        sku         text NOT NULL,
        qty         integer NOT NULL,
        unit_fen    bigint NOT NULL,
        total_fen   bigint NOT NULL
      );
      CREATE INDEX sale_line_sale ON sale_line (sale_id);

      CREATE TABLE sale_tender (
        sale_id     text NOT NULL REFERENCES sale(id),
        n           integer NOT NULL,
        method      text NOT NULL,
        amount_fen  bigint NOT NULL,
        reference   text,
        PRIMARY KEY (sale_id, n)
      );

      CREATE TABLE cash_movement (
        id          text PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE REFERENCES event(id),
        store_id    text NOT NULL,
        device_id   uuid NOT NULL,
        session_id  text NOT NULL,
        kind        text NOT NULL,
        amount_fen  bigint NOT NULL,
        staff_id    text
      );

      -- What devices put on their dead-letter lists (reported, for IT).
      CREATE TABLE dead_letter (
        device_id    uuid NOT NULL REFERENCES device(id),
        event_id     text NOT NULL,
        type         text NOT NULL,
        reason       text NOT NULL,
        message      text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        rejected_at  timestamptz NOT NULL,
        reported_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, event_id)
      );
    `);

    for (const { table, feeds } of FED_TABLES_0001) await sql.exec(feedTriggersV1(table, feeds));
  },
};

export default migration;
