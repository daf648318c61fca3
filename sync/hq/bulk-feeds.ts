import { BRAND_SCOPE } from './migrations/feed-triggers.js';
import type { FedTable } from './migrations/feed-triggers.js';

/**
 * The feeds of the tables the bulk loader (bulk-load.ts) writes with their triggers off: copies
 * of what migrations 0001 and 0005 built their feed triggers from. The loader writes the change
 * log from these, so it must be the same SQL the triggers run: before it turns a trigger off it
 * checks that the database's `feed_<table>()` is, character for character, the function
 * `feedTriggersV1` makes from the spec here — a migration that replaces a feed (or adds a trigger)
 * makes the loader fall back to the triggers until this list is brought up to date.
 */
export const BULK_FEEDS: Readonly<Record<string, FedTable>> = {
  style: {
    table: 'style',
    feeds: [
      {
        kind: 'style',
        rank: 2,
        scope: BRAND_SCOPE,
        key: 't.code',
        keyValues: 'json_build_array(t.code)',
        row: 'json_build_array(t.code, t.brand, t.name_zh, t.name_en, t.category_zh, t.category_en, t.season, t.price_fen)',
      },
    ],
  },
  sku: {
    table: 'sku',
    feeds: [
      {
        kind: 'sku',
        rank: 3,
        scope: BRAND_SCOPE,
        key: 't.sku',
        keyValues: 'json_build_array(t.sku)',
        row: 'json_build_array(t.sku, t.style_code, t.colour_code, t.colour_zh, t.colour_en, t.size, t.size_order, t.ean, t.price_fen, t.active)',
      },
    ],
  },
  member_code: {
    table: 'member_code',
    feeds: [
      {
        kind: 'member_code',
        rank: 8,
        movable: true,
        scope: `'store:' || c.store_id`,
        key: 't.code',
        keyValues: 'json_build_array(t.code)',
        row: 'json_build_array(t.code, t.customer_id)',
        from: 'JOIN customer c ON c.id = t.customer_id',
      },
    ],
  },
  stock: {
    table: 'stock',
    feeds: [
      {
        kind: 'stock',
        rank: 10,
        scope: `CASE WHEN l.kind = 'store' THEN 'store:' || t.location_id ELSE 'brand:' || l.brand END`,
        key: `t.location_id || '|' || t.sku`,
        keyValues: 'json_build_array(t.location_id, t.sku)',
        row: 'json_build_array(t.location_id, t.sku, t.qty, sf_iso(t.updated_at))',
        from: 'JOIN location l ON l.id = t.location_id',
      },
    ],
  },
  customer_tag: {
    table: 'customer_tag',
    feeds: [
      {
        kind: 'customer_tag',
        rank: 16,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: `t.customer_id || '|' || t.tag`,
        keyValues: 'json_build_array(t.customer_id, t.tag)',
        row: 'json_build_array(t.customer_id, t.tag, t.store_id, t.source, sf_iso(t.added_at))',
      },
    ],
  },
  customer_purchase: {
    table: 'customer_purchase',
    feeds: [
      {
        kind: 'customer_purchase',
        rank: 19,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: `json_build_array(t.id, t.customer_id, t.store_id, t.channel, t.location_id, t.ref, t.total_fen, t.items::text, t.sales_staff_id,
                t.service_guide_id, sf_iso(t.at))`,
      },
    ],
  },
};
