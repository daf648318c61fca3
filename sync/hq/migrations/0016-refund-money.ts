import type { HqMigration } from '../migrate.js';

/**
 * Refunds at HQ follow the money as the till did.
 *
 * Why: the till pays a return back the way the sale was paid (sync/protocol/refund-sources.ts),
 * and a manager may approve paying card or mobile money back in cash instead (the customer's card
 * is gone, the gateway refused). HQ kept neither: `sale_tender` had no column for the method a
 * cash refund stood in for, and nothing compared a refund with the sale's money. Finance at HQ
 * could not see cash that left a drawer for a card sale, the first thing an auditor asks for.
 *
 * - `sale_tender.instead_of`: the method the money came from, on a refund paid another way.
 * - `refund_exception`: for finance, one row per refund tender that did not go back the way its
 *   money came: paid in cash instead of the card (`instead_of`, approved on the till), or more
 *   than the original sale's money of that method had left (`unfunded_fen`: a till's fault or a
 *   tampered push; the refund is still a fact, recorded and listed), or a return with no receipt
 *   (no `original_sale_id`) paid back other than in cash. The projector writes it
 *   (sync/hq/projector/check-refunds.ts); `GET /admin/v1/refund-exceptions` lists it by store and
 *   the return's business day (`refund_exception_day`).
 * - `sale_original`: the returns of a sale, which the refund check reads for every sale it
 *   follows (without it each read scanned every sale HQ holds). Building it takes the table's
 *   share lock for the build: on a large HQ the projector waits that long, and so does a push
 *   that carries a return (it projects what is queued first); other pushes are answered.
 *
 * Additive: a column with no default (no rewrite), a table and an index. An HQ of the version
 * before, running beside this one during an upgrade, projects refunds without `instead_of` and
 * checks none; events it projects in that window are not checked later.
 */
const migration: HqMigration = {
  version: 16,
  name: 'refund-money',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE sale_tender ADD COLUMN instead_of text;
      CREATE INDEX sale_original ON sale (original_sale_id) WHERE original_sale_id IS NOT NULL;

      CREATE TABLE refund_exception (
        id                bigserial PRIMARY KEY,
        event_id          uuid NOT NULL,
        n                 integer NOT NULL,
        sale_id           text NOT NULL,
        store_id          text NOT NULL,
        business_day      date NOT NULL,
        original_sale_id  text,
        method            text NOT NULL,
        instead_of        text,
        amount_fen        bigint NOT NULL CHECK (amount_fen > 0),
        unfunded_fen      bigint NOT NULL CHECK (unfunded_fen >= 0 AND unfunded_fen <= amount_fen),
        detail            text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, n),
        CHECK (instead_of IS NOT NULL OR unfunded_fen > 0)
      );
      CREATE INDEX refund_exception_day ON refund_exception (business_day, store_id);
    `);
  },
};

export default migration;
