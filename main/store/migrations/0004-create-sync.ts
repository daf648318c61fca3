import type { Migration } from '../migrate.js';

/**
 * Sync bookkeeping on the device: what HQ decided about it (`hq_device`, the device_profile
 * entity), one cursor per feed scope (stored in the same transaction as the rows it covers, with
 * the provisioning progress of that scope), and the dead-letter list of events HQ rejected.
 * The device's identity from enrolment (HQ url, brand, store code, receipt code, scopes, its
 * Ed25519 private key) lives in `meta`: the store is encrypted at rest, so the key is too.
 */
const migration: Migration = {
  version: 4,
  name: 'create-sync',
  up: (db) => {
    db.exec(`
      CREATE TABLE hq_device (
        device_id     TEXT PRIMARY KEY,
        store_id      TEXT NOT NULL,
        receipt_code  TEXT NOT NULL,
        status        TEXT NOT NULL,
        profile       TEXT NOT NULL CHECK (json_valid(profile))
      ) WITHOUT ROWID;

      -- applied/total: provisioning progress of the scope; done = 1 once it was drained the first time.
      CREATE TABLE sync_cursor (
        scope       TEXT PRIMARY KEY,
        cursor      TEXT NOT NULL,
        applied     INTEGER NOT NULL DEFAULT 0,
        total       INTEGER,
        done        INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT NOT NULL
      ) WITHOUT ROWID;

      -- An outbox event HQ rejected, kept as it was; never dropped silently.
      CREATE TABLE dead_letter (
        id           TEXT PRIMARY KEY,
        type         TEXT NOT NULL,
        payload      TEXT NOT NULL CHECK (json_valid(payload)),
        staff_id     TEXT,
        device_id    TEXT NOT NULL,
        store_id     TEXT NOT NULL,
        occurred_at  TEXT NOT NULL,
        reason       TEXT NOT NULL,
        message      TEXT NOT NULL,
        rejected_at  TEXT NOT NULL,
        reported_at  TEXT
      ) WITHOUT ROWID;
      CREATE INDEX dead_letter_unreported ON dead_letter(rejected_at) WHERE reported_at IS NULL;
    `);
  },
};

export default migration;
