import type { HqMigration } from '../migrate.js';

/**
 * A transfer's takeover written by the customer book's trigger, in the one update of each profile
 * it already makes (issue 13: offboarding within 2 s).
 *
 * Why: when a guide left, HQ updated the 5,000 profiles of their book twice in one transaction:
 * the trigger of migration 0005 set the new binding's dates on each, and recordTransfers then set
 * the takeover (who it is taken over from, until when) on the same rows. Each update wrote 5,000
 * row versions and the feed's 5,000 change rows again: 242 ms of the offboarding's 0.93 s at HQ
 * (auto_explain), the same again as the trigger's own update.
 *
 * Now a transfer tells the trigger its takeover for the one statement that moves its customers:
 * `sf.takeover_until` (transaction-local, set around that statement by recordTransfers), a
 * timestamp where the batch has a takeover window, `none` where it has none. A customer moved from
 * one guide to another then takes over from the old guide until then; one moved into or out of the
 * pool, or by a batch without a window, takes over from nobody. Without the setting (a binding by
 * scan, a decline, an edit) the takeover columns stay as they were, as before.
 *
 * Only the function changes (CREATE OR REPLACE, its triggers kept): nothing is rewritten. Its
 * INSERT branch is 0005's, character for character, which the bulk loader reproduces
 * (`BULK_TRIGGERS` checks the function's source against this file's).
 *
 * An HQ of the version before still writes the takeover itself, after the trigger, with the same
 * values: the two versions may run side by side during an upgrade.
 */
const VERSION = 14;

const FUNCTION = `
  CREATE OR REPLACE FUNCTION sf_customer_book() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    takeover text := nullif(current_setting('sf.takeover_until', true), '');
  BEGIN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO customer_profile (customer_id, store_id, bound_at, protected_until)
        SELECT n.id, n.store_id, CASE WHEN n.guide_id IS NOT NULL THEN n.created_at END,
               CASE WHEN n.guide_id IS NOT NULL THEN n.created_at + make_interval(days => coalesce(pol.protection_days, 90)) END
          FROM new_rows n LEFT JOIN customer_policy pol ON pol.store_id = n.store_id
        ON CONFLICT (customer_id) DO NOTHING;
      INSERT INTO customer_binding (customer_id, guide_id, valid_from)
        SELECT n.id, n.guide_id, '-infinity' FROM new_rows n WHERE n.guide_id IS NOT NULL
        ON CONFLICT (customer_id, valid_from) DO NOTHING;
      RETURN NULL;
    END IF;
    UPDATE customer_binding b SET valid_to = sf_now()
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND b.customer_id = n.id AND b.valid_to IS NULL;
    INSERT INTO customer_binding (customer_id, guide_id, valid_from)
      SELECT n.id, n.guide_id, sf_now() FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.guide_id IS DISTINCT FROM n.guide_id AND n.guide_id IS NOT NULL
      ON CONFLICT (customer_id, valid_from) DO UPDATE SET guide_id = excluded.guide_id, valid_to = NULL;
    -- The new binding's dates and, for a transfer (sf.takeover_until), its takeover: one update per profile.
    UPDATE customer_profile p
       SET bound_at = CASE WHEN n.guide_id IS NULL THEN NULL ELSE sf_now() END,
           protected_until = CASE WHEN n.guide_id IS NULL THEN NULL
                                  ELSE sf_now() + make_interval(days => coalesce(pol.protection_days, 90)) END,
           takeover_from = CASE WHEN takeover IS NULL THEN p.takeover_from
                                WHEN takeover <> 'none' AND o.guide_id IS NOT NULL AND n.guide_id IS NOT NULL THEN o.guide_id END,
           takeover_until = CASE WHEN takeover IS NULL THEN p.takeover_until
                                 WHEN takeover <> 'none' AND o.guide_id IS NOT NULL AND n.guide_id IS NOT NULL THEN takeover::timestamptz END,
           updated_at = sf_now()
      FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN customer_policy pol ON pol.store_id = n.store_id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND p.customer_id = n.id;
    -- Open tasks follow the customer to their new guide (or to the pool, for the manager).
    UPDATE customer_task t SET guide_id = n.guide_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND t.customer_id = n.id AND t.status IN ('open', 'snoozed');
    -- EXCEPT hashes: an EXISTS over a join of the two transition tables was planned as a nested loop (5,000 rows: 25 million pairs).
    IF EXISTS (SELECT id, store_id FROM old_rows EXCEPT SELECT id, store_id FROM new_rows) THEN
      UPDATE customer_profile x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_tag x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_note x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_contact x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_purchase x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_task x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
    END IF;
    RETURN NULL;
  END $$;
`;

const migration: HqMigration = {
  version: VERSION,
  name: 'takeover-in-customer-book',
  up: async (sql) => {
    await sql.exec(FUNCTION);
  },
};

/**
 * The body of `sf_customer_book()` as this migration makes it (what pg_proc.prosrc holds): the bulk
 * loader reproduces its INSERT branch, and checks first that the database's function is this one.
 */
export function customerBookFunctionSource(): string {
  const body = FUNCTION.split('CREATE OR REPLACE FUNCTION sf_customer_book() RETURNS trigger LANGUAGE plpgsql AS $$')[1]?.split('$$;')[0];
  if (body === undefined) throw new Error('migration 0014 has no sf_customer_book()');
  return body;
}

export default migration;
