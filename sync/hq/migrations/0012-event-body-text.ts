import type { HqMigration } from '../migrate.js';

/**
 * A recorded event's payload kept as `text` (issue 13: the push's own cost). Since migration 0009
 * the push wrote each payload into `body json`, which PostgreSQL does not convert but still checks:
 * it lexes every character of every payload. With the events read out of one JSON parameter by
 * `json_to_recordset`, which lexes them once more, that was 46 of the 69 ms PostgreSQL spent
 * recording a batch of 1,000 sales (EXPLAIN ANALYZE, PostgreSQL 15) — on the push's critical path,
 * at every push, and for text nobody needed checked: HQ wrote it with JSON.stringify from the
 * payload it had just parsed and checked. A push now records each payload as `text`, sent as a
 * binary `text[]` parameter (pg-arrays.ts, TextArray), which PostgreSQL copies as it is: 10,000
 * sales recorded in batches of 1,000 took 480–510 ms of PostgreSQL's CPU against 890–920 ms, and
 * 0.89–0.97 s against 1.26–1.36 s (a scratch benchmark of the two statements, fsync on).
 *
 * What the `json` type refused at push, HQ refuses itself before it records (record-batch.ts,
 * `storable`): a payload with a NUL character or an unpaired surrogate, which no later `json`
 * reading of it, nor the text columns the projector writes, could take.
 *
 * Additive, and instant at any chain's size — no table rewrite (changing `body`'s type would
 * rewrite the table), no index build:
 * - `body_text text`: the payload of every event recorded from now on.
 * - `body json` keeps the payloads recorded since migration 0009, and `payload jsonb` those from
 *   before it and, for every event, the fields the unique indexes read (a sale's receiptNo and
 *   saleId; `{}` for other types), as 0009 left it.
 * - `sf_event_payload(event)` reads whichever of the three holds the payload, as `json`: every
 *   reader of a whole payload goes through it (the projector reading back what it has not cached,
 *   deferred events, IT's own SQL), so none of them changes. Reading `body_text` as `json` checks
 *   it then, once, where it is read — which the projector seldom does: it works from the payloads
 *   the push parsed.
 *
 * Upgrading: an HQ process of the version before may run beside this one. It records events into
 * `body`, which this schema still takes and reads; its projector and its deferred events read
 * through `sf_event_payload`, which this migration replaces in place with one that also reads
 * `body_text` (deploy/README.md, "Upgrading HQ").
 */
const migration: HqMigration = {
  version: 12,
  name: 'event-body-text',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE event ADD COLUMN body_text text;
      COMMENT ON COLUMN event.body_text IS 'The payload as recorded (JSON text, written by HQ from the payload it checked), for events recorded since HQ migration 0012; read it with sf_event_payload(event).';
      COMMENT ON COLUMN event.body IS 'Between HQ migrations 0009 and 0012: the payload as recorded. Read it with sf_event_payload(event).';
      CREATE OR REPLACE FUNCTION sf_event_payload(e event) RETURNS json LANGUAGE sql IMMUTABLE AS
        $$ SELECT coalesce(e.body_text::json, e.body, e.payload::json) $$;
    `);
  },
};

export default migration;
