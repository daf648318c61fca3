import type { Migration } from '../migrate.js';

/** The device's identity, its store, the brand catalog with store stock, and the outbox. */
const migration: Migration = {
  version: 1,
  name: 'create-core',
  up: (db) => {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE location (
        id        TEXT PRIMARY KEY,
        kind      TEXT NOT NULL CHECK (kind IN ('store', 'warehouse')),
        code      TEXT NOT NULL UNIQUE,
        name_zh   TEXT NOT NULL,
        name_en   TEXT NOT NULL,
        city_zh   TEXT NOT NULL,
        city_en   TEXT NOT NULL,
        lat       REAL NOT NULL,
        lng       REAL NOT NULL,
        timezone  TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE staff (
        id        TEXT PRIMARY KEY,
        store_id  TEXT NOT NULL REFERENCES location(id),
        code      TEXT NOT NULL UNIQUE,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('cashier', 'guide', 'manager')),
        active    INTEGER NOT NULL DEFAULT 1
      ) WITHOUT ROWID;

      CREATE TABLE style (
        code         TEXT PRIMARY KEY,
        brand        TEXT NOT NULL,
        name_zh      TEXT NOT NULL,
        name_en      TEXT NOT NULL,
        category_zh  TEXT NOT NULL,
        category_en  TEXT NOT NULL,
        season       TEXT NOT NULL,
        price_fen    INTEGER NOT NULL CHECK (price_fen >= 0)
      ) WITHOUT ROWID;
      CREATE INDEX style_name_zh ON style(name_zh);
      CREATE INDEX style_name_en ON style(name_en COLLATE NOCASE);

      CREATE TABLE sku (
        sku          TEXT PRIMARY KEY,
        style_code   TEXT NOT NULL REFERENCES style(code),
        colour_code  TEXT NOT NULL,
        colour_zh    TEXT NOT NULL,
        colour_en    TEXT NOT NULL,
        size         TEXT NOT NULL,
        size_order   INTEGER NOT NULL,
        ean          TEXT NOT NULL UNIQUE CHECK (length(ean) = 13),
        price_fen    INTEGER NOT NULL CHECK (price_fen >= 0),
        active       INTEGER NOT NULL DEFAULT 1
      ) WITHOUT ROWID;
      CREATE INDEX sku_style ON sku(style_code, colour_code, size_order);

      CREATE TABLE stock (
        location_id  TEXT NOT NULL REFERENCES location(id),
        sku          TEXT NOT NULL REFERENCES sku(sku),
        qty          INTEGER NOT NULL,
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (location_id, sku)
      ) WITHOUT ROWID;

      CREATE TABLE customer (
        id          TEXT PRIMARY KEY,
        store_id    TEXT NOT NULL REFERENCES location(id),
        name        TEXT NOT NULL,
        phone       TEXT NOT NULL,
        tier        TEXT NOT NULL CHECK (tier IN ('blue', 'silver', 'gold', 'platinum')),
        points      INTEGER NOT NULL DEFAULT 0,
        guide_id    TEXT REFERENCES staff(id),
        created_at  TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX customer_phone ON customer(phone);
      CREATE INDEX customer_guide ON customer(guide_id);

      CREATE TABLE setting (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Every local change is written here in the same transaction as its effect.
      -- seq orders the push; id (UUIDv7, made on the device) is what HQ deduplicates on.
      CREATE TABLE outbox (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT NOT NULL UNIQUE,
        type         TEXT NOT NULL,
        payload      TEXT NOT NULL CHECK (json_valid(payload)),
        staff_id     TEXT,
        device_id    TEXT NOT NULL,
        store_id     TEXT NOT NULL,
        occurred_at  TEXT NOT NULL
      );
    `);
  },
};

export default migration;
