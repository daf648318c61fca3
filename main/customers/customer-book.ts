import type { ContactChannel, ContactOutcome, ContactView, CustomerTag, NoteView, StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { writeChange } from '../store/outbox.js';
import type { CustomerAccess } from './customer-access.js';
import type { CustomerViews } from './customer-views.js';
import type { RevealLimit } from './reveal-limit.js';

export type Contact = { channel: ContactChannel; outcome: ContactOutcome; note: string };

type Ctx = Pick<TerminalContext, 'outbox' | 'clock' | 'newId' | 'announceSync'>;

/**
 * The guide's writes to a customer's record: notes, manual tags, the contact log, consent, and the
 * audited reveal of a phone number. Each is shown at once and goes to HQ in the same transaction
 * (its outbox event); HQ feeds the same row back under the same key.
 */
export class CustomerBook {
  constructor(
    private readonly ctx: Ctx,
    private readonly access: CustomerAccess,
    private readonly views: CustomerViews,
    private readonly reveals: RevealLimit,
  ) {}

  addNote(staff: StaffView, customerId: string, body: string): NoteView {
    this.access.customer(staff, customerId);
    const noteId = this.ctx.newId();
    const at = this.ctx.clock().toISOString();
    writeChange(this.ctx.outbox, { type: 'customer.note_added', payload: { noteId, customerId, body }, staffId: staff.id }, () =>
      this.access
        .prepared('INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(noteId, customerId, this.access.storeId, staff.id, body, at),
    );
    this.ctx.announceSync();
    return { id: noteId, body, staff: staff.name, at };
  }

  addTag(staff: StaffView, customerId: string, tag: string): CustomerTag[] {
    this.access.customer(staff, customerId);
    writeChange(this.ctx.outbox, { type: 'customer.tag_added', payload: { customerId, tag }, staffId: staff.id }, () =>
      this.access
        .prepared(
          `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, ?, ?, 'manual', ?) ON CONFLICT (customer_id, tag) DO NOTHING`,
        )
        .run(customerId, tag, this.access.storeId, this.ctx.clock().toISOString()),
    );
    this.ctx.announceSync();
    return this.views.tags(customerId);
  }

  /** Only a manual tag comes off; HQ's automatic ones follow the customer's behaviour. */
  removeTag(staff: StaffView, customerId: string, tag: string): CustomerTag[] {
    this.access.customer(staff, customerId);
    writeChange(this.ctx.outbox, { type: 'customer.tag_removed', payload: { customerId, tag }, staffId: staff.id }, () => {
      const gone = this.access
        .prepared(`DELETE FROM customer_tag WHERE customer_id = ? AND tag = ? AND source = 'manual'`)
        .run(customerId, tag);
      if (gone.changes === 0) throw new AppError('NOT_FOUND', `The customer has no tag ${tag} of yours`);
    });
    this.ctx.announceSync();
    return this.views.tags(customerId);
  }

  logContact(staff: StaffView, customerId: string, contact: Contact): ContactView {
    const customer = this.access.customer(staff, customerId);
    this.checkContact(customerId, customer.contactable, contact.channel);
    const contactId = this.ctx.newId();
    const at = this.ctx.clock().toISOString();
    writeChange(
      this.ctx.outbox,
      { type: 'customer.contacted', payload: { contactId, customerId, ...contact, taskId: null }, staffId: staff.id },
      () => this.insertContact(contactId, customerId, staff.id, contact, null, at),
    );
    this.ctx.announceSync();
    return { id: contactId, ...contact, staff: staff.name, at, taskId: null };
  }

  /**
   * Do-not-disturb: an opted-out customer is not contacted (OPTED_OUT), nor one contacted `max`
   * times within the store's window by anyone (CONTACT_LIMIT). A visit is the customer coming in,
   * not being contacted: it is always logged.
   */
  checkContact(customerId: string, contactable: boolean, channel: ContactChannel): void {
    if (channel === 'visit') return;
    if (!contactable) throw new AppError('OPTED_OUT', 'The customer opted out of being contacted (or never consented)');
    const policy = this.access.policy();
    const used = this.access.contactsUsed(customerId, this.ctx.clock(), policy);
    if (used >= policy.contactMax) {
      throw new AppError('CONTACT_LIMIT', `Contacted ${used} times in the last ${policy.contactDays} days: at most ${policy.contactMax}`);
    }
  }

  insertContact(id: string, customerId: string, staffId: string, c: Contact, taskId: string | null, at: string): void {
    this.access
      .prepared(
        `INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, customerId, this.access.storeId, staffId, c.channel, c.outcome, taskId, c.note, at);
  }

  setConsent(staff: StaffView, customerId: string, consent: boolean): { consent: boolean } {
    this.access.customer(staff, customerId);
    writeChange(this.ctx.outbox, { type: 'customer.consent_changed', payload: { customerId, consent }, staffId: staff.id }, () =>
      this.access
        .prepared(
          `INSERT INTO customer_profile (customer_id, store_id, consent, opted_out, sizes, purchases, spend_fen) VALUES (?, ?, ?, ?, '', 0, 0)
           ON CONFLICT (customer_id) DO UPDATE SET consent = CASE WHEN excluded.opted_out = 0 THEN 1 ELSE consent END, opted_out = excluded.opted_out`,
        )
        .run(customerId, this.access.storeId, consent ? 1 : 0, consent ? 0 : 1),
    );
    this.ctx.announceSync();
    return { consent };
  }

  /**
   * The whole number, for the action that needs it; the reason goes to HQ's audit in the same
   * transaction, and so does the reveal's count: REVEAL_LIMIT past the staff member's limit
   * (reveal-limit.ts), with nothing shown and nothing audited.
   */
  revealPhone(staff: StaffView, customerId: string, reason: string, purpose: 'call' | 'sms' | 'verify'): { phone: string } {
    this.access.customer(staff, customerId);
    const { result } = writeChange(
      this.ctx.outbox,
      { type: 'customer.phone_revealed', payload: { customerId, reason, purpose }, staffId: staff.id },
      () => {
        const phone = this.access.prepared<[string], string>('SELECT phone FROM customer WHERE id = ?').pluck().get(customerId);
        if (phone) this.reveals.count(staff.id, customerId, this.ctx.clock());
        return phone;
      },
    );
    this.ctx.announceSync();
    if (!result) throw new AppError('NOT_FOUND', `No customer ${customerId}`);
    return { phone: result };
  }
}
