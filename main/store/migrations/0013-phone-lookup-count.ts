import type { Migration } from '../migrate.js';

/**
 * `phone_lookup`: lookups by a full mobile number that found nobody, per staff member on this
 * device (main/customers/reveal-limit.ts, PhoneLookupLimit): who, when (UTC ISO). No number is
 * kept: only the count matters.
 *
 * Why: the book shows numbers masked, the first 3 and last 4 digits. Trying the 10,000 middles of a
 * masked number one search at a time, the search by a whole number that finds the customer says
 * which one is theirs: the full number, with no reveal and no audit. The misses are what such
 * guessing is made of, so they are counted and limited. Device-local: not synced, and rows older
 * than the longest window are deleted as lookups are counted.
 */
const VERSION = 13;

const migration: Migration = {
  version: VERSION,
  name: 'phone-lookup-count',
  up: (db) => {
    db.exec(`
      CREATE TABLE phone_lookup (
        staff_id  TEXT NOT NULL,
        at        TEXT NOT NULL
      );
      CREATE INDEX phone_lookup_staff_at ON phone_lookup(staff_id, at);
      CREATE INDEX phone_lookup_at ON phone_lookup(at);
    `);
  },
};

export default migration;
