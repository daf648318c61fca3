import { z } from 'zod';
import { id, iso } from './fields.js';

/**
 * The customer book's events (issue 11): written by the device in the transaction that shows the
 * change locally (main/customers), applied by HQ exactly once (sync/hq/customers). Requests carry
 * the device's request id: HQ records its decision under it and feeds it back (`customer_request`),
 * so the device shows "pending" until that row arrives. Objects are not strict: a newer device may
 * add fields.
 */

const text = (max: number) => z.string().min(1).max(max);

/** The guide binds an existing customer (scanned their member code, or the customer scanned the guide's QR). */
export const bindRequestedSchema = z.object({
  requestId: id,
  customerId: id,
  via: z.enum(['member_code', 'guide_qr']),
});

/** 建档: a new member made at the till or on the tablet, bound to the guide who made them. The id is the device's. */
export const memberCreatedSchema = z.object({
  requestId: id,
  customerId: id,
  name: text(64),
  phone: z.string().regex(/^1\d{10}$/),
  consent: z.boolean(),
});

/** A manager gives a customer to a guide of the store (from the pool, or from another guide), or puts them in the pool (null). */
export const assignRequestedSchema = z.object({ requestId: id, customerId: id, toGuideId: id.nullable() });

export const noteAddedSchema = z.object({ noteId: id, customerId: id, body: text(1000) });

/** A manual tag: no `:` (HQ's `size:M`, `category:…`) and none of HQ's other automatic names (dormant_180, high_spender). */
export const manualTagSchema = z
  .string()
  .regex(/^[^:\s][^:]{0,23}$/u, 'a tag is 1–24 characters without ":"')
  .refine((tag) => !/^(dormant_\d+|high_spender)$/i.test(tag), 'a tag HQ computes (dormant_…, high_spender) is not added by hand');

export const tagSchema = z.object({ customerId: id, tag: manualTagSchema });

export const CONTACT_CHANNELS = ['call', 'wechat', 'visit', 'sms'] as const;
export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'declined', 'bought', 'follow_up'] as const;

const contact = z.object({
  contactId: id,
  customerId: id,
  channel: z.enum(CONTACT_CHANNELS),
  outcome: z.enum(CONTACT_OUTCOMES),
  note: z.string().max(500),
});

/** A contact the guide logged, on its own or as the work of a task. */
export const contactedSchema = contact.extend({ taskId: id.nullable() });

/** The customer opted in to or out of being contacted. */
export const consentChangedSchema = z.object({ customerId: id, consent: z.boolean() });

/** A guide saw a customer's full phone number: why, and for what (audited at HQ). */
export const phoneRevealedSchema = z.object({ customerId: id, reason: text(200), purpose: z.enum(['call', 'sms', 'verify']) });

/** A task worked: the contact it took, and the task done. */
export const taskDoneSchema = z.object({ taskId: id, contact });

export const taskSnoozedSchema = z.object({ taskId: id, until: iso });

export const customerEventSchemas = {
  'customer.bind_requested': bindRequestedSchema,
  'customer.member_created': memberCreatedSchema,
  'customer.assign_requested': assignRequestedSchema,
  'customer.note_added': noteAddedSchema,
  'customer.tag_added': tagSchema,
  'customer.tag_removed': tagSchema,
  'customer.contacted': contactedSchema,
  'customer.consent_changed': consentChangedSchema,
  'customer.phone_revealed': phoneRevealedSchema,
  'customer.task_done': taskDoneSchema,
  'customer.task_snoozed': taskSnoozedSchema,
} as const;

export type BindRequested = z.infer<typeof bindRequestedSchema>;
export type MemberCreated = z.infer<typeof memberCreatedSchema>;
export type AssignRequested = z.infer<typeof assignRequestedSchema>;
export type NoteAdded = z.infer<typeof noteAddedSchema>;
export type TagChange = z.infer<typeof tagSchema>;
export type Contacted = z.infer<typeof contactedSchema>;
export type ConsentChanged = z.infer<typeof consentChangedSchema>;
export type PhoneRevealed = z.infer<typeof phoneRevealedSchema>;
export type TaskDone = z.infer<typeof taskDoneSchema>;
export type TaskSnoozed = z.infer<typeof taskSnoozedSchema>;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
