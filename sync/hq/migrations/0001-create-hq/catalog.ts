import { BRAND_SCOPE } from '../feed-triggers.js';
import type { FedTable } from '../feed-triggers.js';

/**
 * The brand and what it sells: its locations (stores and warehouses), styles, SKUs and
 * promotions, all fed to the brand scope.
 *
 * Part of HQ migration 0001, which has shipped: this SQL text is, byte for byte, what 0001 ran
 * on every HQ database (0001-create-hq-sql.test.ts pins it, indentation included). Never edit
 * it; change the schema with a new migration.
 */
export const CATALOG_TABLES = `
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
`;

export const CATALOG_FEEDS: readonly FedTable[] = [
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
];
