import type { RequestKind, RequestView, StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { writeChange } from '../store/outbox.js';
import { ROLE_PERMISSIONS } from '../staff/permissions.js';
import type { EventPayload, EventType } from '../../sync/protocol/events/index.js';
import type { CustomerAccess } from './customer-access.js';
import type { CustomerViews, RequestRow } from './customer-views.js';
import { REQUEST_COLUMNS } from './customer-views.js';

type Ctx = Pick<TerminalContext, 'outbox' | 'clock' | 'newId' | 'announceSync'>;

type Pending = { kind: RequestKind; customerId: string | null; guideId: string | null; name?: string; phone?: string };

/**
 * What only HQ decides, asked from the device: binding a customer to a guide, a new member (建档),
 * a manager's assignment. Each is written as a `pending` request with its outbox event in one
 * transaction, under the request id HQ records its decision with; the decision replaces the row
 * when it arrives through the store's feed (done, or refused with the reason and the guide who has
 * the customer).
 */
export class CustomerRequests {
  constructor(
    private readonly ctx: Ctx,
    private readonly access: CustomerAccess,
    private readonly views: CustomerViews,
  ) {}

  /** The guide scanned the customer's member code. Any customer of the store may be asked for: HQ decides. */
  bind(staff: StaffView, memberCode: string): RequestView {
    const customer = this.access
      .prepared<[string, string], { id: string }>(
        'SELECT c.id FROM member_code m JOIN customer c ON c.id = m.customer_id WHERE m.code = ? AND c.store_id = ?',
      )
      .get(memberCode.toUpperCase(), this.access.storeId);
    if (!customer) throw new AppError('NOT_FOUND', `No member ${memberCode} in this store`);
    const requestId = this.ctx.newId();
    return this.send(
      staff,
      requestId,
      'customer.bind_requested',
      { requestId, customerId: customer.id, via: 'member_code' },
      {
        kind: 'bind',
        customerId: customer.id,
        guideId: staff.id,
      },
    );
  }

  newMember(staff: StaffView, m: { name: string; phone: string; consent: boolean }): RequestView {
    const taken = this.access
      .prepared<[string, string], { id: string }>('SELECT id FROM customer WHERE phone = ? AND store_id = ?')
      .get(m.phone, this.access.storeId);
    if (taken) throw new AppError('CONFLICT', 'This phone number is already a member of the store: bind the member instead');
    const requestId = this.ctx.newId();
    const customerId = this.ctx.newId();
    return this.send(
      staff,
      requestId,
      'customer.member_created',
      { requestId, customerId, ...m },
      {
        kind: 'new_member',
        customerId,
        // Shown as HQ will decide it: a cashier's member goes to the store pool, not to the cashier.
        guideId: ROLE_PERMISSIONS[staff.role].bind ? staff.id : null,
        name: m.name,
        phone: m.phone,
      },
    );
  }

  /** A manager's reassignment (the guard checked the role): to an active guide or manager of the store, or the pool. */
  assign(staff: StaffView, customerId: string, guideId: string | null): RequestView {
    this.access.customer(staff, customerId);
    if (guideId !== null) {
      const target = this.access
        .prepared<[string, string], { id: string }>(
          `SELECT id FROM staff WHERE id = ? AND store_id = ? AND active = 1 AND role IN ('guide', 'manager')`,
        )
        .get(guideId, this.access.storeId);
      if (!target) throw new AppError('NOT_FOUND', `${guideId} is not an active guide of this store`);
    }
    const requestId = this.ctx.newId();
    return this.send(
      staff,
      requestId,
      'customer.assign_requested',
      { requestId, customerId, toGuideId: guideId },
      {
        kind: 'assign',
        customerId,
        guideId,
      },
    );
  }

  /** This staff member's requests, newest first: one page. */
  mine(staff: StaffView): RequestView[] {
    return this.access
      .prepared<[string, string], RequestRow>(
        `SELECT ${REQUEST_COLUMNS} WHERE r.requested_by = ? AND r.store_id = ? ORDER BY r.requested_at DESC LIMIT 30`,
      )
      .all(staff.id, this.access.storeId)
      .map((r) => this.views.request(r));
  }

  private send<T extends EventType>(staff: StaffView, requestId: string, type: T, payload: EventPayload<T>, p: Pending): RequestView {
    const at = this.ctx.clock().toISOString();
    writeChange(this.ctx.outbox, { type, payload, staffId: staff.id }, () =>
      this.access
        .prepared(
          `INSERT INTO customer_request (id, kind, store_id, customer_id, guide_id, requested_by, status, requested_at, name, phone)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        )
        .run(requestId, p.kind, this.access.storeId, p.customerId, p.guideId, staff.id, at, p.name ?? null, p.phone ?? null),
    );
    this.ctx.announceSync();
    const row = this.access.prepared<[string], RequestRow>(`SELECT ${REQUEST_COLUMNS} WHERE r.id = ?`).get(requestId);
    return this.views.request(row!);
  }
}
