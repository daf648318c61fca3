import type { HqMigration } from '../migrate.js';

/**
 * Finance closes what it has looked into.
 *
 * Why: HQ lists redemptions it found already spent (`settlement_conflict`) and refunds that did
 * not go back the way the money came (`refund_exception`), but nothing marked one as dealt with:
 * `settlement_conflict` had `resolved_at` and `resolution` columns no route wrote, and
 * `refund_exception` had neither. Every row stayed on finance's worklist for good.
 *
 * - Both tables keep who resolved a row (`resolved_by`, the admin), when and what they decided
 *   (`POST /admin/v1/settlement-conflicts/:id/resolve`, `…/refund-exceptions/:id/resolve`). A row is
 *   resolved once; the sale or refund it names stands either way.
 * - A resolved row has its resolution, and an open one has none and no resolver (a check on each
 *   table). Adding a check reads its table once under its lock: both are finance's exceptions, a
 *   few rows per store and day, so the projector waits a moment.
 *
 * Additive: columns with no default (no rewrite) and checks. An HQ of the version before, running
 * beside this one during an upgrade, lists without the new fields and resolves nothing.
 */
const migration: HqMigration = {
  version: 17,
  name: 'finance-resolves',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE settlement_conflict
        ADD COLUMN resolved_by text,
        ADD CONSTRAINT settlement_conflict_resolution
          CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NOT NULL OR resolved_by IS NULL));

      ALTER TABLE refund_exception
        ADD COLUMN resolved_at timestamptz,
        ADD COLUMN resolved_by text,
        ADD COLUMN resolution  text,
        ADD CONSTRAINT refund_exception_resolution
          CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NOT NULL OR resolved_by IS NULL));
    `);
  },
};

export default migration;
