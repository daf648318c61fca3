import { z } from 'zod';
import { manualTagSchema } from '../../../sync/protocol/events/customer.js';
import { code, empty, method } from '../define.js';
import type { MemberCoupon, Tier } from './checkout.js';
import type { I18nName } from './common.js';
import type { StaffRole } from './staff.js';

/**
 * The company's customer book on the store's device (issue 11). A guide sees and works their own
 * customers; a manager sees the store's and the pool. The book is never handed out whole: every
 * list is one page of at most CUSTOMER_PAGE_MAX, of this device's store only, and a phone number is
 * masked everywhere except `revealPhone`, which asks why and is audited at HQ. There is no export.
 */

/** At most this many customers (or tasks, requests) in any answer. */
export const CUSTOMER_PAGE_MAX = 50;

export type CustomerScope = 'mine' | 'store' | 'pool';
export type StaffRef = { id: string; code: string; name: string };
/** `source: 'auto'`: computed at HQ (dormant_180/360/720, high_spender, size:M, category:…); `label` where the device can name it. */
export type CustomerTag = { tag: string; source: 'auto' | 'manual'; label: I18nName | null };
export type ContactChannel = 'call' | 'wechat' | 'visit' | 'sms';
export type ContactOutcome = 'reached' | 'no_answer' | 'declined' | 'bought' | 'follow_up';
export type TaskStatus = 'open' | 'done' | 'snoozed' | 'cancelled';

export type CustomerSummary = {
  id: string;
  name: string;
  /** Masked (138****1234): the whole number only through `revealPhone`. */
  phone: string;
  memberCode: string | null;
  tier: Tier;
  guide: StaffRef | null;
  /** Moved from a guide who left (or in-service) and still in the takeover window: the customer may decline until `until`. */
  takingOver: { from: StaffRef | null; until: string } | null;
  /** The open task due first (the list is sorted by it). */
  nextTask: { id: string; kind: string; name: I18nName; dueAt: string } | null;
  lastPurchaseAt: string | null;
  tags: CustomerTag[];
  /** Consent given and not opted out: tasks and messages may reach them. */
  contactable: boolean;
};

/** `total` stops at 1,000 (`totalCapped`: there are more): nobody pages through more, and counting a whole book costs. */
export type CustomerPage = { items: CustomerSummary[]; total: number; totalCapped: boolean; nextOffset: number | null };

export type PurchaseView = {
  id: string;
  channel: 'store' | 'mini_program' | 'ecommerce';
  /** The store that sold it (null: online). */
  store: I18nName | null;
  ref: string;
  totalFen: number;
  at: string;
  items: { sku: string; name: I18nName | null; size: string | null; qty: number; totalFen: number }[];
  salesStaff: string | null;
  serviceGuide: string | null;
};
export type NoteView = { id: string; body: string; staff: string; at: string };
export type ContactView = {
  id: string;
  channel: ContactChannel;
  outcome: ContactOutcome;
  note: string;
  staff: string;
  at: string;
  taskId: string | null;
};

export type TaskView = {
  id: string;
  customerId: string;
  customerName: string;
  /** Masked, like everywhere. */
  phone: string;
  kind: string;
  name: I18nName;
  script: I18nName;
  coupon: string | null;
  dueAt: string;
  status: TaskStatus;
  snoozedUntil: string | null;
  outcome: string | null;
  doneAt: string | null;
  guide: StaffRef | null;
  /** The customer opted out or never consented: the task cannot be worked until they opt in. */
  locked: boolean;
};
export type TaskPage = { items: TaskView[]; total: number; nextOffset: number | null };

export type RequestKind = 'bind' | 'new_member' | 'assign';
/** A request this device sent: `pending` until HQ's decision arrives with the next sync. */
export type RequestView = {
  id: string;
  kind: RequestKind;
  status: 'pending' | 'done' | 'refused';
  /** HQ's reason: bound_elsewhere, transfer_limit, phone_exists, not_found, staff_inactive, forbidden … */
  reason: string | null;
  customerId: string | null;
  customerName: string | null;
  guide: StaffRef | null;
  /** On a refusal: the guide the customer is bound to. */
  currentGuide: StaffRef | null;
  requestedAt: string;
  decidedAt: string | null;
};

export type CustomerProfile = CustomerSummary & {
  points: number;
  coupons: MemberCoupon[];
  sizes: string;
  birthday: string | null;
  consent: boolean;
  optedOut: boolean;
  boundAt: string | null;
  protectedUntil: string | null;
  spendFen: number;
  purchaseCount: number;
  purchases: PurchaseView[];
  notes: NoteView[];
  contacts: ContactView[];
  tasks: TaskView[];
  requests: RequestView[];
  /** Contacts the store's do-not-disturb rule counts (a visit is not one) within its window, and the rule (at most `max` in `days` days). */
  contactWindow: { used: number; max: number; days: number };
};

export type GuideView = StaffRef & { role: StaffRole; book: number };

export type MonthResult = {
  month: string;
  salesFen: number;
  salesCount: number;
  serviceFen: number;
  serviceCount: number;
  newMembers: number;
  tasksDone: number;
};
/** The logged-in staff's results: this store-local month against the last. */
export type ResultsView = { current: MonthResult; previous: MonthResult };

const customerId = z.string().min(1).max(64);
const offset = z.number().int().min(0).max(1_000_000).default(0);
const limit = z.number().int().min(1).max(CUSTOMER_PAGE_MAX).default(20);
/** A manual tag as HQ takes it (sync/protocol), without spaces at the ends. */
const tag = z.string().trim().pipe(manualTagSchema);

export const customersContract = {
  /**
   * One page of customers, sorted by next action (the open task due first, then by name). `query`:
   * the last 4 digits of the phone, a whole mobile number, a member code (M…), `#tag`, or the start
   * of a name. `mine` needs a session; `store` and `pool` a manager.
   */
  list: method<CustomerPage>()(
    z
      .object({
        scope: z.enum(['mine', 'store', 'pool']).default('mine'),
        query: z.string().trim().max(32).default(''),
        // Any tag of the store, HQ's automatic ones (`size:M`) included.
        tag: z.string().trim().min(1).max(64).optional(),
        offset,
        limit,
      })
      .strict(),
  ),
  /** Everything about one customer the caller may see (their own, or any of the store's for a manager). NOT_FOUND otherwise. */
  profile: method<CustomerProfile>()(z.object({ customerId }).strict()),
  /**
   * The whole phone number, for the action that needs it; why is asked and sent to HQ's audit.
   * REVEAL_LIMIT past 20 new numbers an hour or 60 a day per staff member (a number seen again within
   * 24 hours does not count again); nothing is shown or audited then.
   */
  revealPhone: method<{ phone: string }>()(
    z.object({ customerId, reason: z.string().trim().min(2).max(200), purpose: z.enum(['call', 'sms', 'verify']) }).strict(),
  ),
  addNote: method<NoteView>()(z.object({ customerId, body: z.string().trim().min(1).max(1000) }).strict()),
  addTag: method<CustomerTag[]>()(z.object({ customerId, tag }).strict()),
  removeTag: method<CustomerTag[]>()(z.object({ customerId, tag }).strict()),
  /** A contact outside any task. OPTED_OUT, or CONTACT_LIMIT past the store's do-not-disturb rule. */
  logContact: method<ContactView>()(
    z
      .object({
        customerId,
        channel: z.enum(['call', 'wechat', 'visit', 'sms']),
        outcome: z.enum(['reached', 'no_answer', 'declined', 'bought', 'follow_up']),
        note: z.string().trim().max(500).default(''),
      })
      .strict(),
  ),
  /** The customer opts in or out of being contacted (an opted-out customer's tasks are locked). */
  setConsent: method<{ consent: boolean }>()(z.object({ customerId, consent: z.boolean() }).strict()),
  /** Binds the customer whose member code was scanned to the logged-in guide or manager (FORBIDDEN for a cashier); pending until HQ decides. */
  bind: method<RequestView>()(z.object({ memberCode: code }).strict()),
  /** 建档: a new member bound to the guide or manager who makes them (a cashier's: the store pool); pending until HQ answers with their member code. */
  newMember: method<RequestView>()(
    z
      .object({
        name: z.string().trim().min(1).max(64),
        phone: z.string().regex(/^1\d{10}$/, 'a mobile number is 11 digits starting with 1'),
        consent: z.boolean(),
      })
      .strict(),
  ),
  /** A manager gives a customer to a guide of the store, or to the pool (`guideId: null`); pending until HQ decides. */
  assign: method<RequestView>()(z.object({ customerId, guideId: z.string().min(1).max(64).nullable() }).strict()),
  /** This staff member's requests, newest first (one page). */
  requests: method<{ items: RequestView[] }>()(empty),
  /** The store's active guides (and managers) with the size of their book. */
  guides: method<{ items: GuideView[] }>()(empty),
  /** The tags in use in the store (for the filter chips). */
  tags: method<{ items: CustomerTag[] }>()(empty),
  /** Tasks of the logged-in guide (a manager: the store's), open ones by due date or done ones newest first. */
  tasks: method<TaskPage>()(z.object({ status: z.enum(['open', 'done']).default('open'), offset, limit }).strict()),
  /** Works a task: the contact it took and its outcome. OPTED_OUT, CONTACT_LIMIT. */
  completeTask: method<TaskView>()(
    z
      .object({
        taskId: z.string().min(1).max(64),
        channel: z.enum(['call', 'wechat', 'visit', 'sms']),
        outcome: z.enum(['reached', 'no_answer', 'declined', 'bought', 'follow_up']),
        note: z.string().trim().max(500).default(''),
      })
      .strict(),
  ),
  snoozeTask: method<TaskView>()(z.object({ taskId: z.string().min(1).max(64), days: z.number().int().min(1).max(30) }).strict()),
  /** Sales and service credit, new members, tasks done: this month against the last. */
  results: method<ResultsView>()(empty),
  /** The QR a customer scans (in the mini-program) to bind to the logged-in guide or manager (FORBIDDEN for a cashier). */
  guideQr: method<{ payload: string; svg: string }>()(empty),
  /** A customer screen is shown (or left): the Electron window blocks screen capture while one is. */
  privacy: method<{ protect: boolean }>()(z.object({ protect: z.boolean() }).strict()),
};

export type CustomersEvents = { 'customers.privacy': { protect: boolean } };
