import type { HqMigration } from '../migrate.js';

/**
 * A recorded event's payload kept as `json` (the JSON text of what HQ checked) instead of `jsonb` (issue 13:
 * the push's own cost). The push records each batch of 1,000 events in one statement, and
 * PostgreSQL spent about half of it building `jsonb` out of 1.6 MB of payloads — on the push's
 * critical path, at every push. `json` is only checked, not converted: 24 ms against 48 ms per
 * 1,000 sales into a table like `event` (PostgreSQL 15, measured). An event log is written once and
 * read back whole (the projector mostly works from the payloads the push already parsed), which is
 * what `json` is for; nothing queries inside a payload but the two unique indexes below.
 *
 * Additive, and instant at any chain's size — no table rewrite, no index build:
 * - `body json`: the payload of every event this HQ records from now on.
 * - `payload jsonb` stays. Events recorded before this migration keep their payload there, and
 *   `body` is NULL. Events recorded from now on keep only what HQ's unique indexes read there (a
 *   sale's `receiptNo` and `saleId`; `{}` for other types), so `event_receipt_no` and
 *   `event_sale_id` (migration 0006) keep one sale's receipt number and sale id unique across old
 *   and new events alike, unchanged and unrebuilt.
 * - `sf_event_payload(event)`: an event's payload, whichever of the two holds it — what every
 *   reader of a whole payload uses (the projector reading back what it has not cached, deferred
 *   events, IT's own SQL).
 *
 * Upgrading: an HQ process of the version before that is still running records events the old way
 * (the whole payload in `payload`, no `body`), which this schema takes and reads whole, so no
 * constraint requires `body`. But its projector reads `payload` only, and of an event a new
 * process recorded that is just the indexed fields: stop every HQ process of the version before
 * before the first one of this version starts (deploy/README.md, "Upgrading HQ"). Tills keep
 * selling meanwhile and push when HQ answers again.
 */
const migration: HqMigration = {
  version: 9,
  name: 'event-body-json',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE event ADD COLUMN body json;
      COMMENT ON COLUMN event.body IS 'The payload as recorded (JSON text), for events recorded since HQ migration 0009; read it with sf_event_payload(event).';
      COMMENT ON COLUMN event.payload IS 'Before HQ migration 0009: the payload. Since: only the fields the unique indexes read (a sale''s receiptNo and saleId, {} otherwise).';
      CREATE FUNCTION sf_event_payload(e event) RETURNS json LANGUAGE sql IMMUTABLE AS
        $$ SELECT coalesce(e.body, e.payload::json) $$;
    `);
  },
};

export default migration;
