import type { Sql } from '../db.js';
import { stampHqClock, storePolicy } from './policy.js';
import { movingGuides, recordTransfers } from './transfers.js';

/** HQ's answer to a bind, new-member or assign request, fed back to the store as `customer_request`. */
export type Decision = {
  status: 'done' | 'refused';
  /** Why it was refused (or how it was done): bound_elsewhere, transfer_limit, phone_exists, not_found, staff_inactive, forbidden … */
  reason: string | null;
  /** On `bound_elsewhere`: the guide the customer is bound to. On `phone_exists`: the member with that number, if of this store. */
  currentGuideId: string | null;
  customerId: string | null;
};

export type RequestContext = {
  requestId: string;
  storeId: string;
  /** The staff member who asked (the event's staff). */
  staffId: string;
  requestedAt: string;
  eventId: string | null;
  now: Date;
};

async function record(
  sql: Sql,
  kind: 'bind' | 'new_member' | 'assign',
  r: RequestContext,
  guideId: string | null,
  d: Decision,
): Promise<Decision> {
  await sql.query(
    `INSERT INTO customer_request (id, kind, store_id, customer_id, guide_id, requested_by, status, reason, current_guide_id, event_id, requested_at, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
    [r.requestId, kind, r.storeId, d.customerId, guideId, r.staffId, d.status, d.reason, d.currentGuideId, r.eventId, r.requestedAt, r.now],
  );
  return d;
}

/** A request HQ already decided (asked again with the same id): its decision, not a new one. */
async function decided(sql: Sql, requestId: string): Promise<Decision | null> {
  const [row] = await sql.query<{
    status: 'done' | 'refused';
    reason: string | null;
    current_guide_id: string | null;
    customer_id: string | null;
  }>('SELECT status, reason, current_guide_id, customer_id FROM customer_request WHERE id = $1', [requestId]);
  return row ? { status: row.status, reason: row.reason, currentGuideId: row.current_guide_id, customerId: row.customer_id } : null;
}

/** Only guides and managers hold customers (a cashier signs members up at the till, into the store pool). */
const HOLDS_CUSTOMERS: readonly string[] = ['guide', 'manager'];

async function activeStaff(sql: Sql, staffId: string, storeId: string): Promise<{ role: string } | undefined> {
  // FOR SHARE: a bind or sign-up waits for an offboarding of this guide in progress (it holds the row FOR UPDATE), then sees it.
  const [row] = await sql.query<{ role: string }>('SELECT role FROM staff WHERE id = $1 AND store_id = $2 AND active FOR SHARE', [
    staffId,
    storeId,
  ]);
  return row;
}

/**
 * A guide binds a customer. HQ decides in its receive order (the customer row is locked): a staff
 * member who holds no customers (a cashier) is refused (`forbidden`: a bind is a request HQ
 * decides, judged by the role HQ knows now, not a fact like a sale); an unbound customer is bound; one bound to another guide inside the protection period is refused
 * with that guide named (so two devices binding the same customer offline: the first push wins,
 * the other device shows the refusal); past the protection period the binding moves.
 */
export async function decideBind(sql: Sql, r: RequestContext, customerId: string): Promise<Decision> {
  const before = await decided(sql, r.requestId);
  if (before) return before;
  const guideId = r.staffId;
  await stampHqClock(sql, r.now);
  const [c] = await sql.query<{ guide_id: string | null; protected_until: Date | null }>(
    `SELECT c.guide_id, p.protected_until FROM customer c LEFT JOIN customer_profile p ON p.customer_id = c.id
      WHERE c.id = $1 AND c.store_id = $2 FOR UPDATE OF c`,
    [customerId, r.storeId],
  );
  const refuse = (reason: string, current: string | null = null) =>
    record(sql, 'bind', r, guideId, { status: 'refused', reason, currentGuideId: current, customerId });
  if (!c) return refuse('not_found');
  const staff = await activeStaff(sql, guideId, r.storeId);
  if (!staff) return refuse('staff_inactive');
  if (!HOLDS_CUSTOMERS.includes(staff.role)) return refuse('forbidden');
  if (c.guide_id === guideId)
    return record(sql, 'bind', r, guideId, { status: 'done', reason: 'already_bound', currentGuideId: guideId, customerId });
  // A binding without a protection date is protected: only a date in the past lets another guide's scan take it.
  if (c.guide_id !== null && (c.protected_until === null || c.protected_until > r.now)) return refuse('bound_elsewhere', c.guide_id);
  // The guide's own now, by their scan: a takeover from an earlier transfer, still in its window,
  // ends ('none'; HQ migration 0014's comment, written before, has a scan leave it alone).
  await movingGuides(sql, 'none', () => sql.query('UPDATE customer SET guide_id = $2 WHERE id = $1', [customerId, guideId]));
  return record(sql, 'bind', r, guideId, {
    status: 'done',
    reason: c.guide_id === null ? null : 'protection_expired',
    currentGuideId: guideId,
    customerId,
  });
}

export type NewMember = { customerId: string; name: string; phone: string; consent: boolean };

/**
 * 建档: a member made on a device, bound to the guide (or manager) who made them, with a member code
 * from HQ. A cashier's sign-up at the till makes the member too, into the store pool (`pool_cashier`),
 * and earns no new-member credit: the sign-up rate counts members who registered *and* connected
 * with a guide (RETAIL-NOTES, 建档加粉率). A phone number HQ already has is refused: the existing
 * member is named if they are of this store (the guide may bind them), never if they are another store's.
 */
export async function createMember(sql: Sql, r: RequestContext, m: NewMember): Promise<Decision> {
  const before = await decided(sql, r.requestId);
  if (before) return before;
  const [existing] = await sql.query<{ id: string; store_id: string; guide_id: string | null }>(
    'SELECT id, store_id, guide_id FROM customer WHERE phone = $1 OR id = $2 LIMIT 1',
    [m.phone, m.customerId],
  );
  if (existing) {
    const mine = existing.store_id === r.storeId;
    return record(sql, 'new_member', r, r.staffId, {
      status: 'refused',
      reason: 'phone_exists',
      currentGuideId: mine ? existing.guide_id : null,
      customerId: mine ? existing.id : null,
    });
  }
  // A sign-up is a fact as of when it was made: one made (offline) before the guide left still
  // makes the member, who then waits in the store pool for the manager; one made after is refused.
  // A cashier's (by the role HQ knows) is made into the pool: a cashier holds no customers.
  let guideId: string | null = r.staffId;
  let reason: string | null = null;
  const staff = await activeStaff(sql, r.staffId, r.storeId);
  if (!staff) {
    const [left] = await sql.query<{ left_at: Date | null; role: string }>(
      'SELECT left_at, role FROM staff WHERE id = $1 AND store_id = $2',
      [r.staffId, r.storeId],
    );
    if (!left?.left_at || new Date(r.requestedAt) > left.left_at)
      return record(sql, 'new_member', r, r.staffId, {
        status: 'refused',
        reason: 'staff_inactive',
        currentGuideId: null,
        customerId: null,
      });
    guideId = null;
    reason = HOLDS_CUSTOMERS.includes(left.role) ? 'pool_guide_left' : 'pool_cashier';
  } else if (!HOLDS_CUSTOMERS.includes(staff.role)) {
    guideId = null;
    reason = 'pool_cashier';
  }
  const policy = await storePolicy(sql, r.storeId);
  await sql.query(
    `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES ($1, $2, $3, $4, 'blue', 0, $5, $6)`,
    [m.customerId, r.storeId, m.name, m.phone, guideId, r.requestedAt],
  );
  await sql.query(`INSERT INTO member_code (code, customer_id) VALUES ('M' || nextval('member_code_seq')::text, $1)`, [m.customerId]);
  await sql.query(
    `UPDATE customer_profile SET consent = $2, bound_at = CASE WHEN $6 THEN $3::timestamptz END,
            protected_until = CASE WHEN $6 THEN $3::timestamptz + make_interval(days => $4) END, updated_at = $5
      WHERE customer_id = $1`,
    [m.customerId, m.consent, r.requestedAt, policy.protectionDays, r.now, guideId !== null],
  );
  if (reason !== 'pool_cashier') await countResult(sql, r.staffId, r.requestedAt, 'new_members');
  // The request names the guide the member is for: none for a cashier's (the device showed it so while pending).
  return record(sql, 'new_member', r, reason === 'pool_cashier' ? null : r.staffId, {
    status: 'done',
    reason,
    currentGuideId: guideId,
    customerId: m.customerId,
  });
}

/**
 * A manager gives a customer to a guide of the store (or into the pool): from the pool it is a
 * binding; from another guide an in-service transfer (takeover window, the 90-day limit), recorded
 * as a batch under the request id.
 */
export async function decideAssign(sql: Sql, r: RequestContext, customerId: string, toGuideId: string | null): Promise<Decision> {
  const before = await decided(sql, r.requestId);
  if (before) return before;
  const staff = await activeStaff(sql, r.staffId, r.storeId);
  const refuse = (reason: string, current: string | null = null) =>
    record(sql, 'assign', r, toGuideId, { status: 'refused', reason, currentGuideId: current, customerId });
  if (staff?.role !== 'manager') return refuse('forbidden');
  const policy = await storePolicy(sql, r.storeId);
  await recordTransfers(
    sql,
    {
      requestId: r.requestId,
      kind: 'assign',
      storeId: r.storeId,
      fromGuideId: null,
      rule: 'explicit',
      reason: 'assigned by the store manager',
      takeoverHours: policy.takeoverHours,
      createdBy: r.staffId,
    },
    [{ customerId, toGuideId }],
    r.now,
  );
  const [result] = await sql.query<{ status: string; reason: string; from_guide_id: string | null }>(
    'SELECT status, reason, from_guide_id FROM customer_transfer WHERE request_id = $1 AND n = 1',
    [r.requestId],
  );
  if (result?.status === 'refused_limit') return refuse('transfer_limit', result.from_guide_id);
  if (!result || result.status === 'refused') return refuse(result?.reason.startsWith('no customer') === false ? 'bad_guide' : 'not_found');
  return record(sql, 'assign', r, toGuideId, { status: 'done', reason: result.status, currentGuideId: toGuideId, customerId });
}

type Counter = 'new_members' | 'tasks_done';

/** Adds one to a staff member's monthly result (the store-local month of `at`). */
export async function countResult(sql: Sql, staffId: string, at: string, counter: Counter): Promise<void> {
  await sql.query(
    `INSERT INTO guide_result (staff_id, month, store_id, ${counter})
     SELECT s.id, to_char($2::timestamptz AT TIME ZONE l.timezone, 'YYYY-MM'), s.store_id, 1
       FROM staff s JOIN location l ON l.id = s.store_id WHERE s.id = $1
     ON CONFLICT (staff_id, month) DO UPDATE SET ${counter} = guide_result.${counter} + 1`,
    [staffId, at],
  );
}
