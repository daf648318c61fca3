import type { Sql } from '../db.js';

/** A store's customer-book rules (`customer_policy`), with the chain's defaults where the store has no row. */
export type StorePolicy = { contactMax: number; contactDays: number; takeoverHours: number; protectionDays: number };

/** At most 2 contacts in 7 days (do-not-disturb), a 24 h takeover window, 90 days of protection for a new binding. */
export const DEFAULT_POLICY: StorePolicy = { contactMax: 2, contactDays: 7, takeoverHours: 24, protectionDays: 90 };

/** In-service moves (a manager rebalancing, a guide moving store): at most this many per customer in this many days. */
export const IN_SERVICE_LIMIT = { transfers: 2, days: 90 } as const;

export async function storePolicy(sql: Sql, storeId: string): Promise<StorePolicy> {
  const [row] = await sql.query<{ contact_max: number; contact_days: number; takeover_hours: number; protection_days: number }>(
    'SELECT contact_max, contact_days, takeover_hours, protection_days FROM customer_policy WHERE store_id = $1',
    [storeId],
  );
  if (!row) return DEFAULT_POLICY;
  return {
    contactMax: row.contact_max,
    contactDays: row.contact_days,
    takeoverHours: row.takeover_hours,
    protectionDays: row.protection_days,
  };
}

export async function setStorePolicy(sql: Sql, storeId: string, policy: StorePolicy, now: Date): Promise<void> {
  await sql.query(
    `INSERT INTO customer_policy (store_id, contact_max, contact_days, takeover_hours, protection_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (store_id) DO UPDATE SET contact_max = excluded.contact_max, contact_days = excluded.contact_days,
       takeover_hours = excluded.takeover_hours, protection_days = excluded.protection_days, updated_at = excluded.updated_at`,
    [storeId, policy.contactMax, policy.contactDays, policy.takeoverHours, policy.protectionDays, now],
  );
}

/**
 * Makes `now` the instant the customer-book triggers stamp on bindings in this transaction
 * (`sf_now()` of the migration): HQ's clock decides, as everywhere else, also a test's clock.
 */
export async function stampHqClock(sql: Sql, now: Date): Promise<void> {
  await sql.query("SELECT set_config('sf.now', $1, true)", [now.toISOString()]);
}
