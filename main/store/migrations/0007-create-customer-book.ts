import type { Migration } from '../migrate.js';

/**
 * The customer book on the device (issue 11).
 *
 * The tables HQ feeds (sync/protocol/customer-book-entities.ts): the store's rules, a profile per
 * customer, tags, notes, the contact log, all-channel purchases, bind / new-member / assign
 * requests with HQ's decision, tasks, and monthly results per staff member. The device writes its
 * own notes, tags, contacts, task outcomes and requests into them at once (with the outbox event),
 * under the same keys HQ then feeds back. No foreign keys to `customer`: every read joins it, and a
 * customer tombstone must never make a page unappliable.
 *
 * `customer_request.name` / `.phone` are the device's own (a pending new member, shown until HQ's
 * customer row arrives); a pull sets only HQ's columns and leaves them.
 *
 * Indexes for the guide's search (name prefix, last four digits of the phone, tag, member code),
 * each within the store, over a book of 50,000.
 */
const VERSION = 7;

/** Recomputes one customer's next action (`row`: NEW or OLD of a customer_task trigger). */
const next = (row: 'NEW' | 'OLD') => `
        DELETE FROM customer_next WHERE customer_id = ${row}.customer_id;
        INSERT INTO customer_next (customer_id, due_at)
          SELECT customer_id, min(CASE WHEN status = 'snoozed' THEN coalesce(snoozed_until, due_at) ELSE due_at END)
            FROM customer_task WHERE customer_id = ${row}.customer_id AND status IN ('open', 'snoozed') GROUP BY customer_id;`;

const migration: Migration = {
  version: VERSION,
  name: 'create-customer-book',
  up: (db) => {
    db.exec(`
      CREATE TABLE customer_policy (
        store_id         TEXT PRIMARY KEY,
        contact_max      INTEGER NOT NULL,
        contact_days     INTEGER NOT NULL,
        takeover_hours   INTEGER NOT NULL,
        protection_days  INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE customer_profile (
        customer_id       TEXT PRIMARY KEY,
        store_id          TEXT NOT NULL,
        consent           INTEGER NOT NULL,
        opted_out         INTEGER NOT NULL,
        birthday          TEXT,
        sizes             TEXT NOT NULL,
        bound_at          TEXT,
        protected_until   TEXT,
        takeover_from     TEXT,
        takeover_until    TEXT,
        last_purchase_at  TEXT,
        purchases         INTEGER NOT NULL,
        spend_fen         INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE customer_tag (
        customer_id  TEXT NOT NULL,
        tag          TEXT NOT NULL,
        store_id     TEXT NOT NULL,
        source       TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
        added_at     TEXT NOT NULL,
        PRIMARY KEY (customer_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX customer_tag_tag ON customer_tag(store_id, tag, customer_id);

      CREATE TABLE customer_note (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL,
        store_id     TEXT NOT NULL,
        staff_id     TEXT NOT NULL,
        body         TEXT NOT NULL,
        created_at   TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX customer_note_customer ON customer_note(customer_id, created_at);

      CREATE TABLE customer_contact (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL,
        store_id     TEXT NOT NULL,
        staff_id     TEXT NOT NULL,
        channel      TEXT NOT NULL,
        outcome      TEXT NOT NULL,
        task_id      TEXT,
        note         TEXT NOT NULL,
        at           TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX customer_contact_customer ON customer_contact(customer_id, at);

      CREATE TABLE customer_purchase (
        id                TEXT PRIMARY KEY,
        customer_id       TEXT NOT NULL,
        store_id          TEXT NOT NULL,
        channel           TEXT NOT NULL,
        location_id       TEXT,
        ref               TEXT NOT NULL,
        total_fen         INTEGER NOT NULL,
        items             TEXT NOT NULL CHECK (json_valid(items)),
        sales_staff_id    TEXT,
        service_guide_id  TEXT,
        at                TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX customer_purchase_customer ON customer_purchase(customer_id, at);

      CREATE TABLE customer_request (
        id                TEXT PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('bind', 'new_member', 'assign')),
        store_id          TEXT NOT NULL,
        customer_id       TEXT,
        guide_id          TEXT,
        requested_by      TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('pending', 'done', 'refused')),
        reason            TEXT,
        current_guide_id  TEXT,
        requested_at      TEXT NOT NULL,
        decided_at        TEXT,
        name              TEXT,
        phone             TEXT
      ) WITHOUT ROWID;
      CREATE INDEX customer_request_customer ON customer_request(customer_id, requested_at);
      CREATE INDEX customer_request_by ON customer_request(requested_by, requested_at);

      CREATE TABLE customer_task (
        id             TEXT PRIMARY KEY,
        store_id       TEXT NOT NULL,
        guide_id       TEXT,
        customer_id    TEXT NOT NULL,
        kind           TEXT NOT NULL,
        name_zh        TEXT NOT NULL,
        name_en        TEXT NOT NULL,
        script_zh      TEXT NOT NULL,
        script_en      TEXT NOT NULL,
        coupon         TEXT,
        due_at         TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('open', 'done', 'snoozed', 'cancelled')),
        snoozed_until  TEXT,
        outcome        TEXT,
        done_at        TEXT
      ) WITHOUT ROWID;
      CREATE INDEX customer_task_guide ON customer_task(store_id, guide_id, status, due_at);
      CREATE INDEX customer_task_customer ON customer_task(customer_id, status, due_at);

      CREATE TABLE guide_result (
        staff_id       TEXT NOT NULL,
        month          TEXT NOT NULL,
        store_id       TEXT NOT NULL,
        sales_fen      INTEGER NOT NULL,
        sales_count    INTEGER NOT NULL,
        service_fen    INTEGER NOT NULL,
        service_count  INTEGER NOT NULL,
        new_members    INTEGER NOT NULL,
        tasks_done     INTEGER NOT NULL,
        PRIMARY KEY (staff_id, month)
      ) WITHOUT ROWID;

      -- Each customer's next action (their open task due first; a snoozed one when it wakes), kept by
      -- triggers whoever writes the tasks (a pull, the guide): the list sorts by it without
      -- computing it for every customer of the book.
      CREATE TABLE customer_next (
        customer_id  TEXT PRIMARY KEY,
        due_at       TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX customer_next_due ON customer_next(due_at, customer_id);
      CREATE TRIGGER customer_next_insert AFTER INSERT ON customer_task BEGIN
        ${next('NEW')}
      END;
      CREATE TRIGGER customer_next_update AFTER UPDATE ON customer_task BEGIN
        ${next('OLD')}
        ${next('NEW')}
      END;
      CREATE TRIGGER customer_next_delete AFTER DELETE ON customer_task BEGIN
        ${next('OLD')}
      END;

      CREATE INDEX customer_store_name ON customer(store_id, name);
      CREATE INDEX customer_phone_suffix ON customer(store_id, substr(phone, -4));
      CREATE INDEX customer_store_guide ON customer(store_id, guide_id, name);
    `);
  },
};

export default migration;
