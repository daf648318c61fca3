/**
 * What HQ sends down: entities of a few kinds, each with the device's column layout. A row
 * travels as a JSON array in `columns` order (compact: 200,000 SKUs are one bulk pull), a delete
 * as its key values. Both sides read the layout from here, so a column is named once.
 *
 * `rank` orders a page: parents before children (a style before its SKUs, a customer before its
 * member code), because the device enforces foreign keys on every page it applies.
 */

import { CUSTOMER_BOOK_ENTITIES, CUSTOMER_BOOK_KINDS } from './customer-book-entities.js';

export type ColumnType = 'text' | 'int' | 'real' | 'bool' | 'json';
export type Column = { name: string; type: ColumnType; nullable?: boolean };

export type EntitySpec = {
  kind: EntityKind;
  rank: number;
  /** The device table the rows go into (same name at HQ unless noted there). */
  table: string;
  /** Primary-key columns, a prefix-free subset of `columns`. */
  key: readonly string[];
  columns: readonly Column[];
};

const text = (name: string, nullable = false): Column => ({ name, type: 'text', nullable });
const int = (name: string): Column => ({ name, type: 'int' });
const bool = (name: string): Column => ({ name, type: 'bool' });

/** Every kind HQ feeds, in order of arrival: a new kind is appended, never inserted. */
export const ENTITY_KINDS = [
  'location',
  'style',
  'sku',
  'promotion',
  'staff',
  'staff_credential',
  'customer',
  'member_code',
  'coupon',
  'stock',
  'device_profile',
  'store_policy',
  'sale_settlement',
  // The customer book (issue 11): layouts in customer-book-entities.ts.
  ...CUSTOMER_BOOK_KINDS,
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * The kinds the first devices knew. A device says which kinds it knows when it pulls (an older one
 * sends nothing: these); HQ leaves the others out of its pages, so a device older than HQ is never
 * sent a kind it would refuse.
 */
export const ENTITY_KINDS_V1: readonly EntityKind[] = ENTITY_KINDS.slice(0, ENTITY_KINDS.indexOf('store_policy'));

export const ENTITIES: { readonly [K in EntityKind]: EntitySpec } = {
  location: {
    kind: 'location',
    rank: 1,
    table: 'location',
    key: ['id'],
    columns: [
      text('id'),
      text('kind'),
      text('code'),
      text('name_zh'),
      text('name_en'),
      text('city_zh'),
      text('city_en'),
      { name: 'lat', type: 'real' },
      { name: 'lng', type: 'real' },
      text('timezone'),
    ],
  },
  style: {
    kind: 'style',
    rank: 2,
    table: 'style',
    key: ['code'],
    columns: [
      text('code'),
      text('brand'),
      text('name_zh'),
      text('name_en'),
      text('category_zh'),
      text('category_en'),
      text('season'),
      int('price_fen'),
    ],
  },
  sku: {
    kind: 'sku',
    rank: 3,
    table: 'sku',
    key: ['sku'],
    columns: [
      text('sku'),
      text('style_code'),
      text('colour_code'),
      text('colour_zh'),
      text('colour_en'),
      text('size'),
      int('size_order'),
      text('ean'),
      int('price_fen'),
      bool('active'),
    ],
  },
  promotion: {
    kind: 'promotion',
    rank: 4,
    table: 'promotion',
    key: ['id'],
    columns: [
      text('id'),
      text('kind'),
      text('name_zh'),
      text('name_en'),
      { name: 'scope', type: 'json' },
      int('percent_bp'),
      int('price_fen'),
      int('threshold_fen'),
      int('off_fen'),
      bool('repeat'),
      bool('coupons_allowed'),
      bool('with_item_promotions'),
      text('valid_from'),
      text('valid_until'),
    ],
  },
  staff: {
    kind: 'staff',
    rank: 5,
    table: 'staff',
    key: ['id'],
    columns: [text('id'), text('store_id'), text('code'), text('name'), text('role'), bool('active')],
  },
  // Only HQ's columns: the device's lockout counters in the same table are its own and survive a pull.
  staff_credential: {
    kind: 'staff_credential',
    rank: 6,
    table: 'staff_credential',
    key: ['staff_id'],
    columns: [text('staff_id'), text('pin_salt'), text('pin_hash')],
  },
  customer: {
    kind: 'customer',
    rank: 7,
    table: 'customer',
    key: ['id'],
    columns: [
      text('id'),
      text('store_id'),
      text('name'),
      text('phone'),
      text('tier'),
      int('points'),
      text('guide_id', true),
      text('created_at'),
    ],
  },
  member_code: {
    kind: 'member_code',
    rank: 8,
    table: 'member_code',
    key: ['code'],
    columns: [text('code'), text('customer_id')],
  },
  coupon: {
    kind: 'coupon',
    rank: 9,
    table: 'coupon',
    key: ['code'],
    columns: [
      text('code'),
      text('customer_id', true),
      text('kind'),
      text('name_zh'),
      text('name_en'),
      int('value_fen'),
      int('threshold_fen'),
      int('percent_bp'),
      bool('stackable'),
      text('valid_from'),
      text('valid_until'),
      text('hq_status'),
    ],
  },
  stock: {
    kind: 'stock',
    rank: 10,
    table: 'stock',
    key: ['location_id', 'sku'],
    columns: [text('location_id'), text('sku'), int('qty'), text('updated_at')],
  },
  // What HQ decided about this device: its receipt code (unique in its store) and its profile.
  device_profile: {
    kind: 'device_profile',
    rank: 11,
    table: 'hq_device',
    key: ['device_id'],
    columns: [text('device_id'), text('store_id'), text('receipt_code'), text('status'), { name: 'profile', type: 'json' }],
  },
  // The store's rules for redeeming coupons and points while HQ cannot be asked.
  store_policy: {
    kind: 'store_policy',
    rank: 12,
    table: 'store_policy',
    key: ['store_id'],
    columns: [text('store_id'), text('offline_redeem'), int('offline_points_per_day'), int('offline_coupons_per_day')],
  },
  // What HQ settled for a sale with a member's points or coupons: the device stops counting its own spend then.
  sale_settlement: {
    kind: 'sale_settlement',
    rank: 13,
    table: 'sale_settlement',
    key: ['sale_id'],
    columns: [
      text('sale_id'),
      text('customer_id', true),
      int('points_burnt'),
      int('points_earned'),
      text('conflict', true),
      int('at_risk_fen'),
      text('settled_at'),
    ],
  },
  // The customer book (issue 11).
  ...CUSTOMER_BOOK_ENTITIES,
};

export function isEntityKind(value: unknown): value is EntityKind {
  return typeof value === 'string' && (ENTITY_KINDS as readonly string[]).includes(value);
}

export type CellValue = string | number | boolean | null;

/**
 * Checks one row from the wire against its layout; returns a reason or null. Hand-written rather
 * than a zod schema per row because a bulk pull checks 650,000 rows and this is ~10× cheaper.
 */
export function rowProblem(spec: EntitySpec, row: unknown): string | null {
  if (!Array.isArray(row)) return `${spec.kind}: a row is not an array`;
  if (row.length !== spec.columns.length) return `${spec.kind}: a row has ${row.length} values, expected ${spec.columns.length}`;
  for (let i = 0; i < row.length; i++) {
    const column = spec.columns[i] as Column;
    const value: unknown = row[i];
    if (value === null) {
      if (column.nullable) continue;
      return `${spec.kind}.${column.name} is null`;
    }
    switch (column.type) {
      case 'text':
        if (typeof value !== 'string' || value.length > 4096) return `${spec.kind}.${column.name} is not text`;
        break;
      case 'json':
        if (typeof value !== 'string' || value.length > 65536) return `${spec.kind}.${column.name} is not JSON text`;
        break;
      case 'int':
        if (!Number.isSafeInteger(value)) return `${spec.kind}.${column.name} is not an integer`;
        break;
      case 'real':
        if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.kind}.${column.name} is not a number`;
        break;
      case 'bool':
        if (typeof value !== 'boolean') return `${spec.kind}.${column.name} is not true/false`;
        break;
    }
  }
  return null;
}

/** The key values of a row, in `spec.key` order. */
export function keyOf(spec: EntitySpec, row: readonly CellValue[]): CellValue[] {
  return spec.key.map((k) => row[spec.columns.findIndex((c) => c.name === k)] ?? null);
}
