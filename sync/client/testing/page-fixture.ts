import type { WirePage } from '../apply.js';

/** Rows of pull pages as HQ sends them (device column order), for the tests of `applyPage`. */
export const NOW = '2026-11-23T01:00:00.000Z';
export const STORE = 'loc-S001';
export const WH = 'loc-W01';

export const location = (id: string, kind = 'store') => [
  id,
  kind,
  id.slice(4),
  '店',
  'Store',
  '上海',
  'Shanghai',
  31.2,
  121.4,
  'Asia/Shanghai',
];
export const style = (code: string, price = 29900) => [code, 'SF', '羽绒服', 'Down coat', '外套', 'Coats', '25W', price];
export const sku = (code: string, styleCode: string, ean: string, price = 29900, active = true) => [
  code,
  styleCode,
  '001',
  '黑',
  'Black',
  'M',
  2,
  ean,
  price,
  active,
];
export const stock = (loc: string, code: string, qty: number) => [loc, code, qty, NOW];

export function page(scope: string, cursor: string, sets: WirePage['sets'], more = false): WirePage {
  return { scope, cursor, more, sets };
}

/** The brand's first page: two locations, two styles, three SKUs (one inactive), the warehouse's stock of one. */
export const catalog = () =>
  page('brand:SF', 'c1', [
    { kind: 'location', rows: [location(STORE), location(WH, 'warehouse')], deletes: [] },
    { kind: 'style', rows: [style('ST1'), style('ST2')], deletes: [] },
    {
      kind: 'sku',
      rows: [
        sku('ST1-M', 'ST1', '6900000000011'),
        sku('ST1-L', 'ST1', '6900000000012', 29900, false),
        sku('ST2-M', 'ST2', '6900000000021'),
      ],
      deletes: [],
    },
    { kind: 'stock', rows: [stock(WH, 'ST1-M', 50)], deletes: [] },
  ]);

export const storePage = (cursor: string, sets: WirePage['sets'], store = STORE) => page(`store:${store}`, cursor, sets);
export const staff = (id: string, store = STORE) => [id, store, id.toUpperCase(), '王', 'cashier', true];
export const customer = (id: string, guide: string | null, store = STORE) => [id, store, '李', '13800000000', 'gold', 100, guide, NOW];
export const coupon = (code: string, customerId: string | null) => [
  code,
  customerId,
  'amount',
  '券',
  'Coupon',
  1000,
  0,
  0,
  true,
  NOW,
  '2027-01-01T00:00:00.000Z',
  'issued',
];
