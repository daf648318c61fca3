import type { HqMigration } from '../migrate.js';

/**
 * The per-row foreign-key checks on what a push records and the projector writes (issue 13):
 * PostgreSQL checks each of these row by row, locking the parent row (`FOR KEY SHARE`) — measured
 * with auto_explain on the bench's 10,000-sale push, `sale_line → sale` alone was 18 % of the
 * projection's time and `event → device` a fifth of the record statement's. Each is guaranteed by
 * the one statement that writes the child, and nothing deletes the parents:
 * - `event.device_id → device`: the push records events for the device its signature
 *   authenticated (a row of `device`); devices are revoked, never deleted.
 * - `sale.event_id → event`, `cash_movement.event_id → event`: the projector writes them from
 *   event rows it has just read in its transaction (project-batch.ts); the only events ever
 *   deleted are deferred ones (push/deferred.ts), which are never queued for projection.
 * - `sale_line.sale_id → sale`, `sale_tender.sale_id → sale`: the projector's statement inserts
 *   lines and tenders only for the sales that same statement inserted (project-effects.ts); sales
 *   are facts, never deleted.
 * The projector's tests (project-batch.test.ts) check that every line and tender has its sale.
 */
const migration: HqMigration = {
  version: 7,
  name: 'projection-row-checks',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE event DROP CONSTRAINT event_device_id_fkey;
      ALTER TABLE sale DROP CONSTRAINT sale_event_id_fkey;
      ALTER TABLE cash_movement DROP CONSTRAINT cash_movement_event_id_fkey;
      ALTER TABLE sale_line DROP CONSTRAINT sale_line_sale_id_fkey;
      ALTER TABLE sale_tender DROP CONSTRAINT sale_tender_sale_id_fkey;
    `);
  },
};

export default migration;
