import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { CustomerSummary, CustomerTag, I18nName, RequestView, StaffRef, TaskView, Tier } from '../api/contract.js';
import { maskPhone } from '../checkout/members.js';
import { contactable } from './customer-access.js';
import type { CustomerAccess } from './customer-access.js';

type SummaryRow = {
  id: string;
  name: string;
  phone: string;
  tier: Tier;
  guide_id: string | null;
  code: string | null;
  consent: number | null;
  opted_out: number | null;
  takeover_from: string | null;
  takeover_until: string | null;
  last_purchase_at: string | null;
};

export type TaskRow = {
  id: string;
  customer_id: string;
  customer_name: string;
  phone: string;
  guide_id: string | null;
  kind: string;
  name_zh: string;
  name_en: string;
  script_zh: string;
  script_en: string;
  coupon: string | null;
  due_at: string;
  status: TaskView['status'];
  snoozed_until: string | null;
  outcome: string | null;
  done_at: string | null;
  consent: number | null;
  opted_out: number | null;
};

export const TASK_COLUMNS = `t.id, t.customer_id, c.name AS customer_name, c.phone, t.guide_id, t.kind, t.name_zh, t.name_en, t.script_zh, t.script_en,
  t.coupon, t.due_at, t.status, t.snoozed_until, t.outcome, t.done_at, p.consent, p.opted_out
  FROM customer_task t JOIN customer c ON c.id = t.customer_id LEFT JOIN customer_profile p ON p.customer_id = t.customer_id`;

export type RequestRow = {
  id: string;
  kind: RequestView['kind'];
  status: RequestView['status'];
  reason: string | null;
  customer_id: string | null;
  guide_id: string | null;
  current_guide_id: string | null;
  requested_at: string;
  decided_at: string | null;
  customer_name: string | null;
};

export const REQUEST_COLUMNS = `r.id, r.kind, r.status, r.reason, r.customer_id, r.guide_id, r.current_guide_id, r.requested_at, r.decided_at,
  coalesce(c.name, r.name) AS customer_name
  FROM customer_request r LEFT JOIN customer c ON c.id = r.customer_id AND c.store_id = r.store_id`;

const CATEGORY_REFRESH_MS = 60_000;

/** Tags a list row shows (the profile shows them all). */
const SUMMARY_TAGS = 6;

/** The order a customer's tags are shown in, on a list row and in the profile: manual ones first, then by when added. */
const TAG_ORDER = 't.source DESC, t.added_at, t.tag';

/**
 * Rows of the customer book as the renderer sees them: phones masked, staff named, auto tags
 * labelled where the device can (a favourite category by the catalog's names).
 */
export class CustomerViews {
  private categories = new Map<string, I18nName>();
  private categoriesAt = -Infinity;

  constructor(
    private readonly db: Database,
    private readonly access: CustomerAccess,
    private readonly clock: () => Date,
  ) {}

  staff(id: string | null): StaffRef | null {
    if (id === null) return null;
    const row = this.access.prepared<[string], StaffRef>('SELECT id, code, name FROM staff WHERE id = ?').get(id);
    return row ?? { id, code: '', name: id };
  }

  staffName(id: string | null): string | null {
    return id === null ? null : (this.staff(id)?.name ?? id);
  }

  /** A customer's tags for the profile, in TAG_ORDER (at most 50). */
  tags(customerId: string): CustomerTag[] {
    const rows = this.access
      .prepared<[string], { tag: string; source: 'auto' | 'manual' }>(
        `SELECT t.tag, t.source FROM customer_tag t WHERE t.customer_id = ? ORDER BY ${TAG_ORDER} LIMIT 50`,
      )
      .all(customerId);
    return rows.map((r) => this.tag(r.tag, r.source));
  }

  tag(tag: string, source: 'auto' | 'manual'): CustomerTag {
    return { tag, source, label: tag.startsWith('category:') ? this.category(tag.slice('category:'.length)) : null };
  }

  private category(en: string): I18nName | null {
    const now = this.clock().getTime();
    if (!this.categories.has(en) && now - this.categoriesAt > CATEGORY_REFRESH_MS) {
      const rows = this.db.prepare('SELECT DISTINCT category_en AS en, category_zh AS zh FROM style').all() as { en: string; zh: string }[];
      this.categories = new Map(rows.map((r) => [r.en, { zh: r.zh, en: r.en }]));
      this.categoriesAt = now;
    }
    return this.categories.get(en) ?? null;
  }

  /** The list row of one customer (of this store: the caller checked access or filtered by store). */
  summary(customerId: string): CustomerSummary | null {
    return this.summaries([customerId])[0] ?? null;
  }

  /**
   * The list rows of a page of customers, in the order given; a customer not in this store is left
   * out. Three statements for the page (customers, their next tasks, their tags) rather than five
   * per customer: a page of 20 ran about a hundred.
   */
  summaries(customerIds: readonly string[]): CustomerSummary[] {
    if (customerIds.length === 0) return [];
    const ids = JSON.stringify(customerIds);
    const rows = this.access
      .prepared<[string, string], SummaryRow>(
        `SELECT c.id, c.name, c.phone, c.tier, c.guide_id, m.code, p.consent, p.opted_out, p.takeover_from, p.takeover_until, p.last_purchase_at
           FROM json_each(?) AS j CROSS JOIN customer c ON c.id = j.value
           LEFT JOIN member_code m ON m.customer_id = c.id LEFT JOIN customer_profile p ON p.customer_id = c.id
          WHERE c.store_id = ?`,
      )
      .all(ids, this.access.storeId);
    // Each customer's open or snoozed task due first (a snoozed one when it wakes): the first row per customer.
    const next = new Map<string, { id: string; kind: string; name_zh: string; name_en: string; due: string }>();
    for (const t of this.access
      .prepared<[string], { customer_id: string; id: string; kind: string; name_zh: string; name_en: string; due: string }>(
        `SELECT t.customer_id, t.id, t.kind, t.name_zh, t.name_en,
                CASE WHEN t.status = 'snoozed' THEN coalesce(t.snoozed_until, t.due_at) ELSE t.due_at END AS due
           FROM json_each(?) AS j CROSS JOIN customer_task t ON t.customer_id = j.value
          WHERE t.status IN ('open', 'snoozed') ORDER BY t.customer_id, due, t.id`,
      )
      .all(ids))
      if (!next.has(t.customer_id)) next.set(t.customer_id, t);
    const tags = new Map<string, CustomerTag[]>();
    for (const t of this.access
      .prepared<[string], { customer_id: string; tag: string; source: 'auto' | 'manual' }>(
        `SELECT t.customer_id, t.tag, t.source FROM json_each(?) AS j CROSS JOIN customer_tag t ON t.customer_id = j.value
          ORDER BY t.customer_id, ${TAG_ORDER}`,
      )
      .all(ids)) {
      const list = tags.get(t.customer_id) ?? [];
      if (list.length < SUMMARY_TAGS) list.push(this.tag(t.tag, t.source));
      tags.set(t.customer_id, list);
    }
    const staff = new Map<string, StaffRef | null>();
    const named = (id: string | null) => {
      if (id === null) return null;
      if (!staff.has(id)) staff.set(id, this.staff(id));
      return staff.get(id) ?? null;
    };
    const byId = new Map(rows.map((r) => [r.id, r]));
    const now = this.clock().toISOString();
    return customerIds.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      const task = next.get(id);
      return [
        {
          id: r.id,
          name: r.name,
          phone: maskPhone(r.phone),
          memberCode: r.code,
          tier: r.tier,
          guide: named(r.guide_id),
          takingOver:
            r.takeover_until !== null && r.takeover_until > now ? { from: named(r.takeover_from), until: r.takeover_until } : null,
          nextTask: task ? { id: task.id, kind: task.kind, name: { zh: task.name_zh, en: task.name_en }, dueAt: task.due } : null,
          lastPurchaseAt: r.last_purchase_at,
          tags: tags.get(id) ?? [],
          contactable: contactable(r.consent, r.opted_out),
        },
      ];
    });
  }

  task(r: TaskRow): TaskView {
    return {
      id: r.id,
      customerId: r.customer_id,
      customerName: r.customer_name,
      phone: maskPhone(r.phone),
      kind: r.kind,
      name: { zh: r.name_zh, en: r.name_en },
      script: { zh: r.script_zh, en: r.script_en },
      coupon: r.coupon,
      dueAt: r.due_at,
      status: r.status,
      snoozedUntil: r.snoozed_until,
      outcome: r.outcome,
      doneAt: r.done_at,
      guide: this.staff(r.guide_id),
      locked: !contactable(r.consent, r.opted_out),
    };
  }

  request(r: RequestRow): RequestView {
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      reason: r.reason,
      customerId: r.customer_id,
      customerName: r.customer_name,
      guide: this.staff(r.guide_id),
      currentGuide: this.staff(r.current_guide_id),
      requestedAt: r.requested_at,
      decidedAt: r.decided_at,
    };
  }
}
