import { FED_TABLES_0001 } from './migrations/0001-create-hq.js';
import { FED_TABLES_0005 } from './migrations/0005-customer-book.js';
import type { FedTable } from './migrations/feed-triggers.js';

/** The tables the bulk loader (bulk-load.ts) writes with their triggers off. */
const BULK_TABLES = ['style', 'sku', 'member_code', 'stock', 'customer_tag', 'customer_purchase'];

/**
 * Their feeds, as migrations 0001 and 0005 built their triggers from them. The loader writes the
 * change log from these, so it must be the same SQL the triggers run: before it turns a trigger off
 * it checks that the database's `feed_<table>()` is, character for character, the function
 * `feedTriggersV1` makes from the spec here — a later migration that replaces a feed (or adds a
 * trigger) makes the loader fall back to the triggers until this list follows it.
 */
export const BULK_FEEDS: Readonly<Record<string, FedTable>> = Object.fromEntries(
  [...FED_TABLES_0001, ...FED_TABLES_0005].filter((f) => BULK_TABLES.includes(f.table)).map((f) => [f.table, f]),
);
