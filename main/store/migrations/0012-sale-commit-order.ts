import type { Migration } from '../migrate.js';

/**
 * `sale.commit_seq`: the order the till wrote its sales in (1, 2, 3 …), which is the order their
 * events leave the outbox and reach HQ.
 *
 * Why: a return's refund replays the returns made before it against the same sale (which of the
 * sale's payments each took: sync/protocol/refund-sources.ts). The till replayed them by their
 * time, HQ by the order it received them. A till whose clock stepped back between two returns (a
 * bad time server answer, a dead clock battery) then replayed them the other way round: it found
 * money left on a card the earlier returns had used up, refunded more to that card than it paid,
 * and HQ listed the refund for finance. The commit order is the push order, whatever the clock says.
 *
 * Additive: a new column and its unique index. Sales already written are numbered in the order the
 * till used for them until now (time, then receipt number), so the returns already made replay as
 * they were made; new ones take the next number in the sale's own transaction (sale-commit.ts).
 */
const VERSION = 12;

const migration: Migration = {
  version: VERSION,
  name: 'sale-commit-order',
  up: (db) => {
    db.exec(`
      ALTER TABLE sale ADD COLUMN commit_seq INTEGER;
      UPDATE sale SET commit_seq = o.n
        FROM (SELECT id, row_number() OVER (ORDER BY created_at, receipt_no) AS n FROM sale) AS o
       WHERE sale.id = o.id;
      CREATE UNIQUE INDEX sale_commit_seq ON sale(commit_seq);
    `);
  },
};

export default migration;
