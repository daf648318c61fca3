import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';

/** The store's customer-book rules as HQ fed them, or the chain's defaults (2 contacts in 7 days, 24 h takeover). */
export type Policy = { contactMax: number; contactDays: number; takeoverHours: number; protectionDays: number };
export const DEFAULT_POLICY: Policy = { contactMax: 2, contactDays: 7, takeoverHours: 24, protectionDays: 90 };

type CustomerRow = { id: string; store_id: string; guide_id: string | null; consent: number | null; opted_out: number | null };

/**
 * Who may see and work which customer, on this device: only customers of the device's own store
 * (a row of another store, which HQ never sends, is as good as absent), a guide only their own, a
 * manager the whole store and the pool. Every customer read and write of the domain goes through
 * `customer()`, which answers NOT_FOUND for anything else — never "exists, but not yours".
 */
export class CustomerAccess {
  private readonly row: Statement<[string, string], CustomerRow>;
  private readonly policyRow: Statement<
    [string],
    { contact_max: number; contact_days: number; takeover_hours: number; protection_days: number }
  >;

  constructor(
    private readonly db: Database,
    readonly storeId: string,
  ) {
    this.row = db.prepare(
      `SELECT c.id, c.store_id, c.guide_id, p.consent, p.opted_out FROM customer c LEFT JOIN customer_profile p ON p.customer_id = c.id
        WHERE c.id = ? AND c.store_id = ?`,
    );
    this.policyRow = db.prepare(
      'SELECT contact_max, contact_days, takeover_hours, protection_days FROM customer_policy WHERE store_id = ?',
    );
  }

  /** Managers see the store's book and its pool. */
  static isManager(staff: StaffView): boolean {
    return staff.role === 'manager';
  }

  /** The customer, if `staff` may see them; NOT_FOUND otherwise. */
  customer(staff: StaffView, customerId: string): { id: string; guideId: string | null; contactable: boolean } {
    const c = this.row.get(customerId, this.storeId);
    if (!c || (!CustomerAccess.isManager(staff) && c.guide_id !== staff.id)) {
      throw new AppError('NOT_FOUND', `No customer ${customerId} in your book`);
    }
    return { id: c.id, guideId: c.guide_id, contactable: contactable(c.consent, c.opted_out) };
  }

  policy(): Policy {
    const p = this.policyRow.get(this.storeId);
    return p
      ? { contactMax: p.contact_max, contactDays: p.contact_days, takeoverHours: p.takeover_hours, protectionDays: p.protection_days }
      : DEFAULT_POLICY;
  }

  /**
   * The contacts the store's do-not-disturb rule counts: those of the last `contactDays` days, a
   * visit left out (the customer came in; nobody reached out). One count for the rule and for what
   * the profile shows of it, so the two never disagree.
   */
  contactsUsed(customerId: string, now: Date, policy: Policy = this.policy()): number {
    const since = new Date(now.getTime() - policy.contactDays * 86_400_000).toISOString();
    return (
      this.prepared<[string, string], number>(
        `SELECT count(*) FROM customer_contact WHERE customer_id = ? AND at >= ? AND channel <> 'visit'`,
      )
        .pluck()
        .get(customerId, since) ?? 0
    );
  }

  /** Statements of the domain, prepared once per database. */
  prepared<T extends unknown[], R>(sql: string): Statement<T, R> {
    return prepareOnce(this.db, sql) as Statement<T, R>;
  }
}

/** A customer without a profile yet (HQ's has not arrived) has given no refusal: contactable until it says otherwise. */
export function contactable(consent: number | null, optedOut: number | null): boolean {
  return consent !== 0 && optedOut !== 1;
}

const cache = new WeakMap<Database, Map<string, Statement>>();
function prepareOnce(db: Database, sql: string): Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}
