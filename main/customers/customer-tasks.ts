import type { StaffView, TaskPage, TaskView } from '../api/contract.js';
import { CUSTOMER_PAGE_MAX } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { writeChange } from '../store/outbox.js';
import { CustomerAccess, contactable } from './customer-access.js';
import type { Contact, CustomerBook } from './customer-book.js';
import type { CustomerViews, TaskRow } from './customer-views.js';
import { TASK_COLUMNS } from './customer-views.js';

type Ctx = Pick<TerminalContext, 'outbox' | 'clock' | 'newId' | 'announceSync'>;

const DUE = `CASE WHEN t.status = 'snoozed' THEN coalesce(t.snoozed_until, t.due_at) ELSE t.due_at END`;

/**
 * Tasks from HQ's campaigns, worked on the device (offline too): a guide's own, a manager's whole
 * store (the pool's included). Working one logs the contact it took, under the same do-not-disturb
 * rules as any contact; a task of a customer who opted out is locked.
 */
export class CustomerTasks {
  constructor(
    private readonly ctx: Ctx,
    private readonly access: CustomerAccess,
    private readonly views: CustomerViews,
    private readonly book: CustomerBook,
  ) {}

  list(staff: StaffView, input: { status: 'open' | 'done'; offset: number; limit: number }): TaskPage {
    const limit = Math.min(input.limit, CUSTOMER_PAGE_MAX);
    // A guide's tasks of customers still theirs: a done task keeps the guide who did it, its customer may have moved on.
    const mine = CustomerAccess.isManager(staff) ? '' : 'AND t.guide_id = ? AND c.guide_id = t.guide_id';
    const who = CustomerAccess.isManager(staff) ? [] : [staff.id];
    const open = input.status === 'open';
    const where = `WHERE t.store_id = ? AND c.store_id = t.store_id ${mine} AND t.status ${open ? `IN ('open', 'snoozed')` : `= 'done'`}`;
    const order = open ? `${DUE}, t.id` : 't.done_at DESC, t.id';
    const rows = this.access
      .prepared<unknown[], TaskRow>(`SELECT ${TASK_COLUMNS} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(this.access.storeId, ...who, limit, input.offset);
    const total =
      this.access
        .prepared<unknown[], number>(`SELECT count(*) FROM customer_task t JOIN customer c ON c.id = t.customer_id ${where}`)
        .pluck()
        .get(this.access.storeId, ...who) ?? 0;
    const next = input.offset + rows.length;
    return { items: rows.map((r) => this.views.task(r)), total, nextOffset: next < total ? next : null };
  }

  complete(staff: StaffView, taskId: string, contact: Contact): TaskView {
    const task = this.task(staff, taskId);
    if (task.status !== 'open' && task.status !== 'snoozed') throw new AppError('CONFLICT', 'This task is already done or cancelled');
    this.book.checkContact(task.customer_id, contactable(task.consent, task.opted_out), contact.channel);
    const contactId = this.ctx.newId();
    const at = this.ctx.clock().toISOString();
    writeChange(
      this.ctx.outbox,
      {
        type: 'customer.task_done',
        payload: { taskId, contact: { contactId, customerId: task.customer_id, ...contact } },
        staffId: staff.id,
      },
      () => {
        this.book.insertContact(contactId, task.customer_id, staff.id, contact, taskId, at);
        this.access
          .prepared(`UPDATE customer_task SET status = 'done', outcome = ?, done_at = ? WHERE id = ?`)
          .run(contact.outcome, at, taskId);
      },
    );
    this.ctx.announceSync();
    return this.views.task(this.task(staff, taskId));
  }

  snooze(staff: StaffView, taskId: string, days: number): TaskView {
    const task = this.task(staff, taskId);
    if (task.status !== 'open' && task.status !== 'snoozed') throw new AppError('CONFLICT', 'This task is already done or cancelled');
    const until = new Date(this.ctx.clock().getTime() + days * 86_400_000).toISOString();
    writeChange(this.ctx.outbox, { type: 'customer.task_snoozed', payload: { taskId, until }, staffId: staff.id }, () =>
      this.access.prepared(`UPDATE customer_task SET status = 'snoozed', snoozed_until = ? WHERE id = ?`).run(until, taskId),
    );
    this.ctx.announceSync();
    return this.views.task(this.task(staff, taskId));
  }

  /** A task of the store the caller may work: their own (a guide), any of the store's (a manager). NOT_FOUND otherwise. */
  private task(staff: StaffView, taskId: string): TaskRow {
    const row = this.access
      .prepared<[string, string], TaskRow>(`SELECT ${TASK_COLUMNS} WHERE t.id = ? AND t.store_id = ? AND c.store_id = t.store_id`)
      .get(taskId, this.access.storeId);
    if (!row || (!CustomerAccess.isManager(staff) && row.guide_id !== staff.id))
      throw new AppError('NOT_FOUND', `No task ${taskId} of yours`);
    return row;
  }
}
