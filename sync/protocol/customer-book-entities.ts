/**
 * The customer book's entities (issue 11), fed by HQ to the store scope of the customer's store:
 * HQ owns bindings, transfers and decisions; the device shows them, and writes its own changes
 * (notes, tags, contacts, requests) locally with the same keys, so HQ's row replaces its own when it
 * comes back. Layouts as in entities.ts: a row is a JSON array in `columns` order.
 *
 * Ranks follow the kinds of entities.ts (1–11). The device tables carry no foreign keys to
 * `customer`: a customer tombstone must not leave a page unappliable, and every read joins the
 * customer, so a row of a customer the device no longer holds is never shown.
 */
import type { Column, EntitySpec } from './entities.js';

const text = (name: string, nullable = false): Column => ({ name, type: 'text', nullable });
const int = (name: string): Column => ({ name, type: 'int' });
const bool = (name: string): Column => ({ name, type: 'bool' });

export const CUSTOMER_BOOK_KINDS = [
  'customer_policy',
  'customer_profile',
  'customer_tag',
  'customer_note',
  'customer_contact',
  'customer_purchase',
  'customer_request',
  'customer_task',
  'guide_result',
] as const;
export type CustomerBookKind = (typeof CUSTOMER_BOOK_KINDS)[number];

export const CUSTOMER_BOOK_ENTITIES: { readonly [K in CustomerBookKind]: EntitySpec & { kind: K } } = {
  // The store's rules: do-not-disturb (at most contact_max contacts in contact_days), the takeover window, the protection period.
  customer_policy: {
    kind: 'customer_policy',
    rank: 14,
    table: 'customer_policy',
    key: ['store_id'],
    columns: [text('store_id'), int('contact_max'), int('contact_days'), int('takeover_hours'), int('protection_days')],
  },
  // One per customer: consent, the binding's protection, a transfer in its takeover window, purchase figures computed at HQ.
  customer_profile: {
    kind: 'customer_profile',
    rank: 15,
    table: 'customer_profile',
    key: ['customer_id'],
    columns: [
      text('customer_id'),
      text('store_id'),
      bool('consent'),
      bool('opted_out'),
      text('birthday', true),
      text('sizes'),
      text('bound_at', true),
      text('protected_until', true),
      text('takeover_from', true),
      text('takeover_until', true),
      text('last_purchase_at', true),
      int('purchases'),
      int('spend_fen'),
    ],
  },
  // source 'auto' (computed at HQ: dormant_180, high_spender, size:M, category:Outerwear …) or 'manual' (a guide's).
  customer_tag: {
    kind: 'customer_tag',
    rank: 16,
    table: 'customer_tag',
    key: ['customer_id', 'tag'],
    columns: [text('customer_id'), text('tag'), text('store_id'), text('source'), text('added_at')],
  },
  customer_note: {
    kind: 'customer_note',
    rank: 17,
    table: 'customer_note',
    key: ['id'],
    columns: [text('id'), text('customer_id'), text('store_id'), text('staff_id'), text('body'), text('created_at')],
  },
  // The guides' contact log: channel call/wechat/visit/sms, outcome reached/no_answer/declined/bought/follow_up.
  customer_contact: {
    kind: 'customer_contact',
    rank: 18,
    table: 'customer_contact',
    key: ['id'],
    columns: [
      text('id'),
      text('customer_id'),
      text('store_id'),
      text('staff_id'),
      text('channel'),
      text('outcome'),
      text('task_id', true),
      text('note'),
      text('at'),
    ],
  },
  // All-channel purchase history: store sales of every store of the chain and imported online orders, with attribution.
  customer_purchase: {
    kind: 'customer_purchase',
    rank: 19,
    table: 'customer_purchase',
    key: ['id'],
    columns: [
      text('id'),
      text('customer_id'),
      text('store_id'),
      text('channel'),
      text('location_id', true),
      text('ref'),
      int('total_fen'),
      { name: 'items', type: 'json' },
      text('sales_staff_id', true),
      text('service_guide_id', true),
      text('at'),
    ],
  },
  // A device's bind / new-member / assign request and HQ's decision (the device writes it as `pending` first).
  customer_request: {
    kind: 'customer_request',
    rank: 20,
    table: 'customer_request',
    key: ['id'],
    columns: [
      text('id'),
      text('kind'),
      text('store_id'),
      text('customer_id', true),
      text('guide_id', true),
      text('requested_by'),
      text('status'),
      text('reason', true),
      text('current_guide_id', true),
      text('requested_at'),
      text('decided_at', true),
    ],
  },
  customer_task: {
    kind: 'customer_task',
    rank: 21,
    table: 'customer_task',
    key: ['id'],
    columns: [
      text('id'),
      text('store_id'),
      text('guide_id', true),
      text('customer_id'),
      text('kind'),
      text('name_zh'),
      text('name_en'),
      text('script_zh'),
      text('script_en'),
      text('coupon', true),
      text('due_at'),
      text('status'),
      text('snoozed_until', true),
      text('outcome', true),
      text('done_at', true),
    ],
  },
  // A staff member's results per store-local month: sales credit, service credit, new members, tasks.
  guide_result: {
    kind: 'guide_result',
    rank: 22,
    table: 'guide_result',
    key: ['staff_id', 'month'],
    columns: [
      text('staff_id'),
      text('month'),
      text('store_id'),
      int('sales_fen'),
      int('sales_count'),
      int('service_fen'),
      int('service_count'),
      int('new_members'),
      int('tasks_done'),
    ],
  },
};
