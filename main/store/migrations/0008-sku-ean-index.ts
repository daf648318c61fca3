import type { Migration } from '../migrate.js';

/**
 * The SKU's EAN stays unique, now through a named index (`sku_ean`) instead of the UNIQUE
 * constraint of the column, which SQLite keeps as an automatic index that can never be dropped.
 *
 * Why: a provisioning loads 200,000 SKUs into an empty table, and keeping a unique index on a
 * random key (EANs are not in SKU order) while inserting costs a third of the load — every row
 * lands on another page of the index, written to the WAL again at every page's commit. A named
 * index can be dropped for the load and built once at its end, sorted
 * (sync/client/deferred-indexes.ts). Nothing else changes: the same columns, checks, key and
 * indexes, every row kept, and a duplicate EAN is refused exactly as before
 * (SQLITE_CONSTRAINT_UNIQUE, which sync/client/unique-keys.ts reads from the index list).
 *
 * SQLite cannot drop a column's constraint, so the table is rebuilt the way SQLite documents it
 * (https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema changes"): a
 * new table, the rows copied, the old one dropped, the new one renamed. `rebuildsTables` has the
 * runner switch foreign keys off for it: with them on, dropping `sku` would first delete every
 * row and check `stock` for each. `stock` names `sku` by name and keeps naming it.
 */
const migration: Migration = {
  version: 8,
  name: 'sku-ean-index',
  rebuildsTables: true,
  up: (db) => {
    db.exec(`
      CREATE TABLE sku_rebuilt (
        sku          TEXT PRIMARY KEY,
        style_code   TEXT NOT NULL REFERENCES style(code),
        colour_code  TEXT NOT NULL,
        colour_zh    TEXT NOT NULL,
        colour_en    TEXT NOT NULL,
        size         TEXT NOT NULL,
        size_order   INTEGER NOT NULL,
        ean          TEXT NOT NULL CHECK (length(ean) = 13),
        price_fen    INTEGER NOT NULL CHECK (price_fen >= 0),
        active       INTEGER NOT NULL DEFAULT 1
      ) WITHOUT ROWID;
      INSERT INTO sku_rebuilt (sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active)
        SELECT sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active FROM sku;
      DROP TABLE sku;
      ALTER TABLE sku_rebuilt RENAME TO sku;
      CREATE UNIQUE INDEX sku_ean ON sku(ean);
      CREATE INDEX sku_style ON sku(style_code, colour_code, size_order);
    `);
  },
};

export default migration;
