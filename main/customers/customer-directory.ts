import type {
  ContactView,
  CustomerPage,
  CustomerProfile,
  CustomerScope,
  I18nName,
  NoteView,
  PurchaseView,
  StaffView,
} from '../api/contract.js';
import { CUSTOMER_PAGE_MAX } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { MemberDirectory } from '../checkout/members.js';
import type { PhoneLookupLimit } from '../core/phone-lookup-limit.js';
import { CustomerAccess } from './customer-access.js';
import type { CustomerViews, RequestRow, TaskRow } from './customer-views.js';
import { REQUEST_COLUMNS, TASK_COLUMNS } from './customer-views.js';

export type ListInput = { scope: CustomerScope; query: string; tag?: string | undefined; offset: number; limit: number };

/** `narrow`: a query that picks out a few customers (a phone, a member code, a name): read them, then their next action. */
type Filter = { where: string; params: unknown[]; narrow: boolean };

/** Counts stop here (the list shows "1000+"): nobody pages through a thousand customers, and counting 50,000 costs. */
export const COUNT_CAP = 1000;

/** The highest code point: a name range `[q, q + MAX)` holds every name that starts with q, rare characters included. */
const MAX_CHAR = String.fromCodePoint(0x10ffff);

/** A whole mainland mobile number, as a search: matched exactly (a shorter query of digits is its last four). */
const FULL_PHONE_RE = /^1\d{10}$/;

/**
 * A tag worn by fewer of the store's customers than this is read from its index for the page; a
 * commoner one is checked per customer walked (the page fills after a few dozen). Counting reads
 * the tag's index below COUNTED_FROM_TAG wearers, or for the whole store (every wearer counts, so
 * the cap comes at once); a guide's count of a tag most of the store wears walks the guide's book.
 * Measured on a 50,000-customer store (bench/customers.ts).
 */
export const RARE_TAG = 5000;
const COUNTED_FROM_TAG = 8000;

/** The tag a list asks for: `#tag` in the search box, or the tag chip. */
export function tagOf(input: Pick<ListInput, 'query' | 'tag'>): string | undefined {
  return input.query.startsWith('#') ? input.query.slice(1).trim() || undefined : input.tag;
}

/** Whether the list has a search text (a phone, a member code, a name) and not only a tag or nothing. */
function searched(input: Pick<ListInput, 'query'>): boolean {
  return input.query !== '' && !input.query.startsWith('#');
}

/**
 * What a search box query means: the last four digits of a phone, a whole mobile number, a member
 * code, `#tag`, or the start of a name. Every filter starts with the device's store.
 *
 * A tag is read one of two ways. `fromTag`: its customers come from the tag's index and the store
 * and guide are checked on each (`+` keeps SQLite from driving by those instead) — for a rare tag,
 * where walking the book would probe thousands of customers to find a few. Otherwise each customer
 * walked is probed for the tag — for a common one, where the page fills after a few dozen.
 */
export function filterOf(storeId: string, staff: StaffView, input: Pick<ListInput, 'scope' | 'query' | 'tag'>, fromTag = false): Filter {
  const tag = tagOf(input);
  const driven = fromTag && tag !== undefined;
  const col = (name: string) => (driven ? `+c.${name}` : `c.${name}`);
  const where = [`${col('store_id')} = ?`];
  const params: unknown[] = [storeId];
  if (input.scope === 'mine') {
    where.push(`${col('guide_id')} = ?`);
    params.push(staff.id);
  } else if (input.scope === 'pool') where.push('c.guide_id IS NULL');
  const q = input.query;
  if (/^\d{4}$/.test(q)) {
    where.push('substr(c.phone, -4) = ?');
    params.push(q);
  } else if (FULL_PHONE_RE.test(q)) {
    where.push('c.phone = ?');
    params.push(q);
  } else if (/^m\d{1,12}$/i.test(q)) {
    where.push('c.id IN (SELECT customer_id FROM member_code WHERE code = ?)');
    params.push(q.toUpperCase());
  } else if (q !== '' && !q.startsWith('#')) {
    where.push('c.name >= ? AND c.name < ?');
    params.push(q, q + MAX_CHAR);
  }
  if (tag && driven) {
    where.push('c.id IN (SELECT t.customer_id FROM customer_tag t WHERE t.store_id = ? AND t.tag = ?)');
    params.push(storeId, tag);
  } else if (tag) {
    // Correlated on the tag's primary key: probing the scope's customers beats listing a tag 20,000 customers wear.
    where.push('EXISTS (SELECT 1 FROM customer_tag t WHERE t.customer_id = c.id AND t.tag = ?)');
    params.push(tag);
  }
  return { where: where.join(' AND '), params, narrow: driven || searched(input) };
}

/** The customer book's reads: one page of a list, one customer's profile. */
export class CustomerDirectory {
  constructor(
    private readonly access: CustomerAccess,
    private readonly views: CustomerViews,
    private readonly members: MemberDirectory,
    private readonly clock: () => Date,
    private readonly phoneLookups: PhoneLookupLimit,
  ) {}

  /**
   * One page, sorted by next action: customers with an open task by its due time, then the others
   * by name. Two index-ordered reads rather than one sort of the whole book (a manager's store is
   * 50,000 customers).
   */
  list(staff: StaffView, input: ListInput): CustomerPage {
    if (input.scope !== 'mine' && !CustomerAccess.isManager(staff))
      throw new AppError('FORBIDDEN', 'Only a manager sees the store’s book and its pool');
    // A search by a whole number says whether it is a customer's: its misses are counted and limited.
    if (FULL_PHONE_RE.test(input.query)) {
      return this.phoneLookups.lookup(
        staff.id,
        this.clock(),
        () => this.page(staff, input),
        (page) => page.items.length === 0,
      );
    }
    return this.page(staff, input);
  }

  private page(staff: StaffView, input: ListInput): CustomerPage {
    const limit = Math.min(input.limit, CUSTOMER_PAGE_MAX);
    const storeId = this.access.storeId;
    const tag = tagOf(input);
    const wearers =
      tag === undefined
        ? 0
        : (this.access
            .prepared<[string, string, number], number>(
              'SELECT count(*) FROM (SELECT 1 FROM customer_tag WHERE store_id = ? AND tag = ? LIMIT ?)',
            )
            .pluck()
            .get(storeId, tag, COUNTED_FROM_TAG) ?? 0);
    const f = filterOf(storeId, staff, input, wearers < RARE_TAG);
    const fc = filterOf(storeId, staff, input, wearers < COUNTED_FROM_TAG || input.scope === 'store');
    const count = (from: string, cap: number, params: readonly unknown[]) =>
      this.access
        .prepared<unknown[], number>(`SELECT count(*) FROM (SELECT 1 ${from} LIMIT ?)`)
        .pluck()
        .get(...params, cap) ?? 0;
    // A guide's list without a search text walks the guide's own next actions in due order (device migration 9: 880
    // of a store's 5,238 in the bench) and probes each for the tag, unless fewer of the store's customers wear the tag
    // than the guide has next actions: then the tag's index is read, as for a rare tag.
    const own = input.scope === 'mine' && !searched(input) && (tag === undefined || wearers > this.nextActions(staff.id, wearers + 1));
    const walked = own ? filterOf(storeId, staff, input) : f;
    // A narrow query reads its few customers, then their next action; a broad one walks the next actions in due order
    // (the index's order: no sort, and the page ends the walk) and keeps the customers that pass. CROSS JOIN fixes that order.
    const tasked = own
      ? `FROM customer_next n CROSS JOIN customer c ON c.id = n.customer_id WHERE n.guide_id = ? AND ${walked.where}`
      : f.narrow
        ? `FROM customer c JOIN customer_next n ON n.customer_id = c.id WHERE ${f.where}`
        : `FROM customer_next n CROSS JOIN customer c ON c.id = n.customer_id WHERE ${f.where}`;
    const taskedParams = own ? [staff.id, ...walked.params] : f.params;
    // Counting a whole 50,000-customer book costs more than the page: counts stop past what a person pages through.
    const counted = count(`FROM customer c WHERE ${fc.where}`, COUNT_CAP + 1, fc.params);
    const ids = this.access
      .prepared<unknown[], string>(`SELECT c.id ${tasked} ORDER BY n.due_at, n.customer_id LIMIT ? OFFSET ?`)
      .pluck()
      .all(...taskedParams, limit, input.offset);
    if (ids.length < limit) {
      // Where the customers without a task start: right after the last tasked one, or (paging past them) their count.
      const before = ids.length > 0 ? input.offset + ids.length : count(tasked, input.offset, taskedParams);
      const rest = this.access
        .prepared<unknown[], string>(
          `SELECT c.id FROM customer c WHERE ${f.where} AND NOT EXISTS (SELECT 1 FROM customer_next n WHERE n.customer_id = c.id)
            ORDER BY c.name, c.id LIMIT ? OFFSET ?`,
        )
        .pluck()
        .all(...f.params, limit - ids.length, input.offset + ids.length - before);
      ids.push(...rest);
    }
    const items = this.views.summaries(ids);
    const next = input.offset + ids.length;
    const more = ids.length === limit && (counted > next || counted > COUNT_CAP);
    return { items, total: Math.min(counted, COUNT_CAP), totalCapped: counted > COUNT_CAP, nextOffset: more ? next : null };
  }

  /** How many of the guide's customers have a next action, counted up to `cap` (an index range). */
  private nextActions(guideId: string, cap: number): number {
    return (
      this.access
        .prepared<[string, number], number>('SELECT count(*) FROM (SELECT 1 FROM customer_next WHERE guide_id = ? LIMIT ?)')
        .pluck()
        .get(guideId, cap) ?? 0
    );
  }

  profile(staff: StaffView, customerId: string): CustomerProfile {
    this.access.customer(staff, customerId);
    const summary = this.views.summary(customerId);
    const member = this.members.view(customerId, this.clock());
    if (!summary || !member) throw new AppError('NOT_FOUND', `No customer ${customerId} in your book`);
    const p = this.access
      .prepared<
        [string],
        {
          sizes: string;
          birthday: string | null;
          consent: number;
          opted_out: number;
          bound_at: string | null;
          protected_until: string | null;
          spend_fen: number;
          purchases: number;
        }
      >(
        'SELECT sizes, birthday, consent, opted_out, bound_at, protected_until, spend_fen, purchases FROM customer_profile WHERE customer_id = ?',
      )
      .get(customerId);
    const policy = this.access.policy();
    const used = this.access.contactsUsed(customerId, this.clock(), policy);
    const tasks = this.access
      .prepared<[string], TaskRow>(`SELECT ${TASK_COLUMNS} WHERE t.customer_id = ? ORDER BY t.status = 'done', t.due_at LIMIT 20`)
      .all(customerId);
    const requests = this.access
      .prepared<[string], RequestRow>(`SELECT ${REQUEST_COLUMNS} WHERE r.customer_id = ? ORDER BY r.requested_at DESC LIMIT 5`)
      .all(customerId);
    return {
      ...summary,
      tags: this.views.tags(customerId),
      points: member.points,
      coupons: member.coupons,
      sizes: p?.sizes ?? '',
      birthday: p?.birthday ?? null,
      consent: p ? p.consent === 1 : true,
      optedOut: p?.opted_out === 1,
      boundAt: p?.bound_at ?? null,
      protectedUntil: p?.protected_until ?? null,
      spendFen: p?.spend_fen ?? 0,
      purchaseCount: p?.purchases ?? 0,
      purchases: this.purchases(customerId),
      notes: this.notes(customerId),
      contacts: this.contacts(customerId),
      tasks: tasks.map((t) => this.views.task(t)),
      requests: requests.map((r) => this.views.request(r)),
      contactWindow: { used, max: policy.contactMax, days: policy.contactDays },
    };
  }

  private purchases(customerId: string): PurchaseView[] {
    const rows = this.access
      .prepared<
        [string],
        {
          id: string;
          channel: PurchaseView['channel'];
          name_zh: string | null;
          name_en: string | null;
          ref: string;
          total_fen: number;
          at: string;
          items: string;
          sales_staff_id: string | null;
          service_guide_id: string | null;
        }
      >(
        `SELECT p.id, p.channel, l.name_zh, l.name_en, p.ref, p.total_fen, p.at, p.items, p.sales_staff_id, p.service_guide_id
           FROM customer_purchase p LEFT JOIN location l ON l.id = p.location_id WHERE p.customer_id = ? ORDER BY p.at DESC LIMIT 20`,
      )
      .all(customerId);
    const sku = this.access.prepared<[string], { name_zh: string; name_en: string; size: string }>(
      'SELECT s.name_zh, s.name_en, k.size FROM sku k JOIN style s ON s.code = k.style_code WHERE k.sku = ?',
    );
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      store: r.name_zh !== null && r.name_en !== null ? { zh: r.name_zh, en: r.name_en } : null,
      ref: r.ref,
      totalFen: r.total_fen,
      at: r.at,
      items: (JSON.parse(r.items) as { sku: string; qty: number; totalFen?: number }[]).slice(0, 20).map((i) => {
        const found = sku.get(i.sku);
        const name: I18nName | null = found ? { zh: found.name_zh, en: found.name_en } : null;
        return { sku: i.sku, name, size: found?.size ?? null, qty: i.qty, totalFen: i.totalFen ?? 0 };
      }),
      salesStaff: this.views.staffName(r.sales_staff_id),
      serviceGuide: this.views.staffName(r.service_guide_id),
    }));
  }

  private notes(customerId: string): NoteView[] {
    return this.access
      .prepared<[string], { id: string; body: string; staff_id: string; created_at: string }>(
        'SELECT id, body, staff_id, created_at FROM customer_note WHERE customer_id = ? ORDER BY created_at DESC LIMIT 30',
      )
      .all(customerId)
      .map((n) => ({ id: n.id, body: n.body, staff: this.views.staffName(n.staff_id) ?? '', at: n.created_at }));
  }

  private contacts(customerId: string): ContactView[] {
    return this.access
      .prepared<
        [string],
        {
          id: string;
          channel: ContactView['channel'];
          outcome: ContactView['outcome'];
          note: string;
          staff_id: string;
          at: string;
          task_id: string | null;
        }
      >('SELECT id, channel, outcome, note, staff_id, at, task_id FROM customer_contact WHERE customer_id = ? ORDER BY at DESC LIMIT 30')
      .all(customerId)
      .map((c) => ({
        id: c.id,
        channel: c.channel,
        outcome: c.outcome,
        note: c.note,
        staff: this.views.staffName(c.staff_id) ?? '',
        at: c.at,
        taskId: c.task_id,
      }));
  }
}
