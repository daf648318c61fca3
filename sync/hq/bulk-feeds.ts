import { FED_TABLES_0001 } from './migrations/0001-create-hq.js';
import { FED_TABLES_0005 } from './migrations/0005-customer-book.js';
import { customerBookFunctionSource } from './migrations/0014-takeover-in-customer-book.js';
import type { FedTable } from './migrations/feed-triggers.js';

/** The tables the bulk loader (bulk-load.ts) writes with their triggers off. */
const BULK_TABLES = [
  'style',
  'sku',
  'customer',
  'customer_profile',
  'member_code',
  'stock',
  'customer_tag',
  'customer_purchase',
  'customer_task',
];

/**
 * The tables whose loads write their change rows in chunks (bulk-load.ts, CHUNKS): every table
 * the loader writes that has a feed. A chunk keeps its rows as they were loaded; a row deleted or
 * moved to another scope later (a customer who changed stores) leaves it when its tombstone is
 * written (HQ migration 0011), so a store's feed holds no copy of a customer it no longer has.
 */
export const CHUNKED_TABLES: ReadonlySet<string> = new Set(BULK_TABLES);

/**
 * Their feeds, as migrations 0001 and 0005 built their triggers from them. The loader writes the
 * change log from these, so it must be the same SQL the triggers run: before it turns a trigger off
 * it checks that the database's `feed_<table>()` is, character for character, the function
 * `feedTriggersV1` makes from the spec here — a later migration that replaces a feed (or adds a
 * trigger) makes the loader fall back to the triggers until this list follows it.
 */
export const BULK_FEEDS: Readonly<Record<string, FedTable>> = Object.fromEntries([
  ...[...FED_TABLES_0001, ...FED_TABLES_0005].filter((f) => BULK_TABLES.includes(f.table)).map((f) => [f.table, f] as const),
  // Not fed (HQ's own record of who served whom): no trigger but its foreign key's.
  ['customer_binding', { table: 'customer_binding', feeds: [] }],
]);

/**
 * A table's triggers besides its feed's that the loader reproduces, by rows its caller writes in
 * the table's own statement (`insertWith`): the customer book's insert trigger (migration 0005)
 * gives each new customer a profile and, with a guide, a binding — its `companions`, which the
 * loader requires with every customer insert; its function must be, character for character,
 * 0014's (which replaced 0005's and kept its INSERT branch). `updateOnly`: triggers that fire on
 * UPDATE alone (0005's guide change, 0004's move of a customer's children), which an insert never
 * fires: the loader refuses an upsert of such a table.
 */
export type BulkTrigger = {
  insert: { trigger: string; fn: string; src: string };
  updateOnly: readonly string[];
  companions: readonly string[];
};

export const BULK_TRIGGERS: Readonly<Record<string, BulkTrigger>> = {
  customer: {
    insert: { trigger: 'customer_book_insert', fn: 'sf_customer_book', src: customerBookFunctionSource() },
    updateOnly: ['customer_book_update', 'move_customer_children', 'overtake_transfers'],
    companions: ['customer_profile', 'customer_binding'],
  },
};
