import type { HqMigration } from '../migrate.js';

/**
 * Push records, a projector projects (issue 13):
 * - `projection_queue`: the recorded events whose effects (sale, lines, tenders, stock, cash,
 *   coupons, points, customer book) HQ's projector has not applied yet, in HQ's receive order. The
 *   push writes a row in the statement that records the event; the projector deletes it in the
 *   transaction that applies the effects, so each event is projected exactly once even when a
 *   projector dies mid-batch. Events recorded before this migration were projected by their push:
 *   the queue starts empty.
 * - `event_receipt_no` / `event_sale_id`: a sale's receipt number and sale id are unique among
 *   recorded events, so a push that reuses one is refused at push time (reason `conflict`), as it
 *   was when the push also wrote the sale — the sale is written later, by the projector.
 */
const migration: HqMigration = {
  version: 6,
  name: 'projection-queue',
  up: async (sql) => {
    await sql.exec(`
      CREATE TABLE projection_queue (
        hq_seq    bigint PRIMARY KEY,
        event_id  uuid NOT NULL
      );
      CREATE UNIQUE INDEX event_receipt_no ON event ((payload->>'receiptNo')) WHERE type = 'sale.completed';
      CREATE UNIQUE INDEX event_sale_id ON event ((payload->>'saleId')) WHERE type = 'sale.completed';
    `);
  },
};

export default migration;
