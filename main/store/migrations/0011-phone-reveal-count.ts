import type { Migration } from '../migrate.js';

/**
 * `phone_reveal`: the phone reveals that count against a staff member's limit on this device
 * (main/customers/reveal-limit.ts), one row per counted reveal: who, whose number, when (UTC ISO).
 *
 * Why: every reveal is audited at HQ, but nothing stopped a manager revealing the whole store one
 * call at a time. The outbox cannot be counted from (it is pruned after a push), so the device
 * keeps its own count, written in the reveal's transaction with its audit event. Device-local: it
 * is not synced, and rows older than the longest window are deleted as reveals are counted.
 */
const VERSION = 11;

const migration: Migration = {
  version: VERSION,
  name: 'phone-reveal-count',
  up: (db) => {
    db.exec(`
      CREATE TABLE phone_reveal (
        staff_id     TEXT NOT NULL,
        customer_id  TEXT NOT NULL,
        at           TEXT NOT NULL,
        PRIMARY KEY (staff_id, customer_id, at)
      ) WITHOUT ROWID;
      CREATE INDEX phone_reveal_staff_at ON phone_reveal(staff_id, at);
      CREATE INDEX phone_reveal_at ON phone_reveal(at);
    `);
  },
};

export default migration;
