import type { Migration } from '../migrate.js';

/**
 * Payment intents (main/checkout/payment-intents.ts): every gateway charge, void and refund is
 * written down before the call, so money the gateway moved for a cart that a crash took away is
 * found again — a charge is reversed, a paid refund's return is finished. `detail` (a refund):
 * the return it paid, as JSON. `sale_tender` takes UnionPay QR as a method, and `instead_of`: a
 * refund paid in cash (a manager approved) although the money came from this method.
 */
const migration: Migration = {
  version: 6,
  name: 'create-payment-intents',
  up: (db) => {
    db.exec(`
      CREATE TABLE payment_intent (
        id            TEXT PRIMARY KEY,
        cart_id       TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
        method        TEXT NOT NULL CHECK (method IN ('wechat', 'alipay', 'unionpay')),
        amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
        original_ref  TEXT,
        state         TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed', 'settled', 'voided', 'reversed')),
        provider_ref  TEXT,
        sale_id       TEXT,
        detail        TEXT CHECK (detail IS NULL OR json_valid(detail)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX payment_intent_open ON payment_intent(created_at) WHERE state IN ('pending', 'paid');

      -- UnionPay QR joins the tender methods (a CHECK changes only by rebuilding the table), and a
      -- refund records the method it was paid in cash instead of.
      CREATE TABLE sale_tender_v6 (
        id          TEXT PRIMARY KEY,
        sale_id     TEXT NOT NULL REFERENCES sale(id),
        method      TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external', 'wechat', 'alipay', 'unionpay')),
        amount_fen  INTEGER NOT NULL,
        given_fen   INTEGER,
        change_fen  INTEGER,
        reference   TEXT,
        instead_of  TEXT CHECK (instead_of IN ('card', 'external', 'wechat', 'alipay', 'unionpay'))
      ) WITHOUT ROWID;
      INSERT INTO sale_tender_v6 (id, sale_id, method, amount_fen, given_fen, change_fen, reference)
        SELECT id, sale_id, method, amount_fen, given_fen, change_fen, reference FROM sale_tender;
      DROP TABLE sale_tender;
      ALTER TABLE sale_tender_v6 RENAME TO sale_tender;
      CREATE INDEX sale_tender_sale ON sale_tender(sale_id);
    `);
  },
};

export default migration;
