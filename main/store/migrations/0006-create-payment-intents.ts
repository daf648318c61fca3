import type { Migration } from '../migrate.js';

/**
 * Payment intents (main/checkout/payment-intents.ts): every gateway charge, void and refund is
 * written down before the call, so money the gateway moved for a cart that a crash took away is
 * found again — a charge is reversed, a paid refund's return is finished. `detail` (a refund):
 * the return it paid, as JSON. And `sale_tender.instead_of`: a refund paid in cash (a manager
 * approved) although the money came from this method.
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
        method        TEXT NOT NULL CHECK (method IN ('wechat', 'alipay')),
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

      ALTER TABLE sale_tender ADD COLUMN instead_of TEXT CHECK (instead_of IN ('card', 'external', 'wechat', 'alipay'));
    `);
  },
};

export default migration;
