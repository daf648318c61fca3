import type { Migration } from '../migrate.js';

/**
 * The persistent print queue. A job is a ReceiptDocument (JSON) and its state; it is rendered
 * for the printer of the moment when sent, so a printer swapped while a job waits still gets
 * the right bytes. `seq` keeps the print order; `id` (UUIDv7) is the job's identity.
 */
const migration: Migration = {
  version: 2,
  name: 'create-print-queue',
  up: (db) => {
    db.exec(`
      CREATE TABLE print_job (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL,
        document      TEXT NOT NULL CHECK (json_valid(document)),
        state         TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'held', 'done', 'failed', 'cancelled')),
        held_reason   TEXT CHECK (held_reason IN ('paper_end', 'cover_open', 'offline', 'unreachable', 'interrupted')),
        -- 1 once every byte was handed to the printer: a held job that was delivered is never sent again.
        delivered     INTEGER NOT NULL DEFAULT 0,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        copy          INTEGER NOT NULL DEFAULT 0,
        reprint_of    TEXT,
        kick_drawer   INTEGER NOT NULL DEFAULT 0,
        receipt_no    TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        printed_at    TEXT
      );
      CREATE INDEX print_job_open ON print_job(state, seq) WHERE state IN ('queued', 'sending', 'held');
    `);
  },
};

export default migration;
