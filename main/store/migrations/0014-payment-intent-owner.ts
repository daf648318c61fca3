import type { Migration } from '../migrate.js';

/**
 * `payment_intent.owner`: the till instance that wrote the intent (main/checkout/till-lease.ts), and
 * `till_lease`: one row per till instance that opened this store file — a new id each time a
 * till starts — kept alive by its heartbeat (`expires_at`, UTC ISO) and marked `released_at` when the
 * till closes. Device-local: not synced.
 *
 * Why: several tills can run on one store file, and payment recovery reversed every unsettled
 * charge that was not in its own till's cart — including a charge still in another till's open
 * cart, whose customer was paying. A charge is now recovered only by the till that wrote it, or once
 * that till's lease has lapsed (it died) or was released (it closed). Intents written before this
 * migration have no owner and are recovered as before.
 */
const VERSION = 14;

const migration: Migration = {
  version: VERSION,
  name: 'payment-intent-owner',
  up: (db) => {
    db.exec(`
      ALTER TABLE payment_intent ADD COLUMN owner TEXT;
      CREATE TABLE till_lease (
        id           TEXT PRIMARY KEY,
        started_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        released_at  TEXT
      ) WITHOUT ROWID;
      CREATE INDEX till_lease_expires ON till_lease(expires_at);
    `);
  },
};

export default migration;
