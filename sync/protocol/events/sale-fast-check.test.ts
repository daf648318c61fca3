import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { saleCompletedSchema } from './sale.js';
import type { SaleCompleted } from './sale.js';
import { patternOf, surelySaleCompleted } from './sale-fast-check.js';

/** A seeded generator (mulberry32): the same cases every run, and a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const maybe = (r: Rand, p = 0.5) => r() < p;
const id = (r: Rand, prefix: string) => `${prefix}-${Math.floor(r() * 1e9).toString(36)}`;

/** A valid sale of a random shape: kinds, returns, promotions, coupons, points, refunds paid in cash, optional fields there or not. */
function validSale(r: Rand): SaleCompleted {
  const kind = pick(r, ['sale', 'return', 'exchange'] as const);
  const lines = Array.from({ length: Math.floor(r() * 6) }, (_, i) => ({
    lineId: id(r, `l${i}`),
    sku: pick(r, ['SF25W0001-001-S', 'X', 'S'.repeat(64)]),
    qty: pick(r, [1, 2, -1, 100_000, -100_000]),
    listUnitFen: pick(r, [19900, 0, 1e12]),
    unitFen: pick(r, [19900, -1e12]),
    discountFen: pick(r, [0, 500]),
    totalFen: pick(r, [19900, -19900]),
    promotions: maybe(r) ? [] : [{ id: id(r, 'promo'), discountFen: 500 }],
    originalLineId: maybe(r) ? null : id(r, 'orig'),
  }));
  const tenders = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
    method: pick(r, ['cash', 'card', 'wechat', 'alipay', 'm'.repeat(32)]),
    amountFen: pick(r, [19900, -19900, 0]),
    reference: maybe(r) ? null : pick(r, ['', 'ref-1', 'r'.repeat(200)]),
    providerRef: maybe(r) ? null : 'prov-1',
    ...(maybe(r, 0.2) ? { insteadOf: 'card' } : {}),
  }));
  const sale: SaleCompleted = {
    saleId: id(r, 'sale'),
    receiptNo: 'S001-0001-20261205-00001',
    kind,
    businessDay: pick(r, ['2026-12-05', '2024-02-29', '2000-02-29']),
    tillSessionId: id(r, 'till'),
    staffId: id(r, 'stf'),
    customerId: maybe(r) ? null : id(r, 'cus'),
    originalSaleId: kind === 'sale' ? null : id(r, 'sale'),
    lines,
    tenders,
    coupons: maybe(r) ? [] : [{ code: 'CPN-50-OFF', discountFen: 5000, spentOffline: maybe(r) }],
    points: maybe(r) ? null : { redeemed: 0, valueFen: 0, spentOffline: false, earned: pick(r, [199, -199, 1e9, -1e9]) },
    totals: { subtotalFen: 19900, discountFen: 0, totalFen: 19900, refundFen: 0, netFen: 19900, changeFen: 100 },
    offline: maybe(r),
    createdAt: pick(r, ['2026-12-05T10:00:00.000Z', '2026-12-05T10:00:00Z', '2026-12-05T23:59:59.123456Z']),
  };
  if (maybe(r, 0.3)) sale.serviceGuideId = maybe(r) ? null : id(r, 'guide');
  // A newer device may add fields the schema does not know: the schema lets them through.
  if (maybe(r, 0.2)) Object.assign(sale, { fromANewerDevice: { anything: [1, 'two'] } });
  return sale;
}

/** Values that break some field, and values at a bound that are still valid for another. */
const JUNK: readonly unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(32),
  'x'.repeat(33),
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(200),
  'x'.repeat(201),
  0,
  -1,
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e12,
  1e12 + 1,
  -1e12 - 1,
  2 ** 53,
  1e9,
  1e9 + 1,
  -1e9 - 1,
  100_001,
  -100_001,
  true,
  false,
  [],
  {},
  [1],
  '2026-02-30',
  '2026-02-29',
  '2026-12-05',
  '2026-12-05T10:00:00+08:00',
  '2026-12-05T24:00:00Z',
  '2026-12-05T10:00Z',
  '2026-12-05T10:00:00.Z',
  // ISO's year 0000, which PostgreSQL has not.
  '0000-12-05',
  '0000-12-05T10:00:00Z',
  'sale',
  'refund',
  'cash',
  // Surrogate pairs: one code point, two UTF-16 units (32 and 33 emoji are 64 and 66 units).
  '😀'.repeat(32),
  '😀'.repeat(33),
  'x\ud800',
  // A pattern's test() reads its argument as text: an array of one date is the date's text.
  ['2026-12-05'],
  ['2026-12-05T10:00:00.000Z'],
];

/**
 * Where a field can be broken: an object of the sale, one of the keys its schema has (present or
 * not), and the field's path in the schema (`lines[].promotions[].discountFen`).
 */
type Target = { holder: Record<string, unknown>; key: string; path: string };

/** Walks `value` alongside `schema`, listing every field the schema defines on every object the value has. */
function targets(value: unknown, schema: z.ZodType, path = '', out: Target[] = []): Target[] {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> };
  if ((def.type === 'nullable' || def.type === 'optional') && def.innerType) return targets(value, def.innerType, path, out);
  if (def.type === 'array' && def.element && Array.isArray(value)) for (const item of value) targets(item, def.element, `${path}[]`, out);
  if (def.type === 'object' && def.shape && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, field] of Object.entries(def.shape)) {
      const at = path ? `${path}.${key}` : key;
      out.push({ holder: value as Record<string, unknown>, key, path: at });
      targets((value as Record<string, unknown>)[key], field, at, out);
    }
  }
  return out;
}

/** Breaks one field: deletes it, sets it to a JUNK value, or makes an array longer than any bound. */
function breakOne(r: Rand, sale: unknown): string {
  const all = targets(sale, saleCompletedSchema);
  const { holder, key, path } = pick(r, all);
  const roll = r();
  if (roll < 0.1) {
    delete holder[key];
    return `${path}: deleted`;
  }
  const current = holder[key];
  if (roll < 0.2 && Array.isArray(current) && current.length > 0) {
    holder[key] = Array.from({ length: pick(r, [51, 101, 1001]) }, () => structuredClone(current[0]));
    return `${path}: ${(holder[key] as unknown[]).length} items`;
  }
  holder[key] = pick(r, JUNK);
  return `${path}: ${String(holder[key]).slice(0, 20)}`;
}

describe('the fast check of a sale', () => {
  it('passes valid sales of every shape (the ones a till writes), as the schema does', () => {
    const r = random(1);
    for (let i = 0; i < 2000; i++) {
      const sale = validSale(r);
      expect(saleCompletedSchema.safeParse(sale).success, JSON.stringify(sale)).toBe(true);
      expect(surelySaleCompleted(sale), JSON.stringify(sale)).toBe(true);
    }
  });

  it('passes a sale at every array bound (1,000 lines of 50 promotions, 100 tenders, 50 coupons)', () => {
    const sale = fullSale();
    const line = sale.lines.find((l) => l.promotions.length > 0)!;
    sale.lines = Array.from({ length: 1000 }, () => ({ ...line, promotions: Array.from({ length: 50 }, () => line.promotions[0]!) }));
    sale.tenders = Array.from({ length: 100 }, () => sale.tenders[0]!);
    sale.coupons = Array.from({ length: 50 }, () => sale.coupons[0]!);
    expect(saleCompletedSchema.safeParse(sale).success).toBe(true);
    expect(surelySaleCompleted(sale)).toBe(true);
  });

  it('is never looser than the schema: every field the schema has, broken 20,000 ways', () => {
    let refused = 0;
    let looser: string[] = [];
    const fields = new Set<string>();
    for (let seed = 1; seed <= 20_000; seed++) {
      const r = random(seed);
      const sale = validSale(r);
      const broke = Array.from({ length: 1 + Math.floor(r() * 2) }, () => breakOne(r, sale));
      for (const b of broke) fields.add(b.slice(0, b.indexOf(':')));
      const schemaSays = saleCompletedSchema.safeParse(sale).success;
      if (!schemaSays) refused++;
      if (surelySaleCompleted(sale) && !schemaSays) looser = [...looser, `seed ${seed}: ${broke.join(', ')}`];
    }
    expect(looser).toEqual([]);
    // The cases do break sales, and reach every field of every object the schema defines.
    expect(refused).toBeGreaterThan(10_000);
    const every = new Set(targets(fullSale(), saleCompletedSchema).map((t) => t.path));
    expect([...every].filter((f) => !fields.has(f))).toEqual([]);
  });

  it("reads a format's pattern off its schema, and is never sure of a string whose schema has none", () => {
    expect(patternOf(z.iso.date()).test('2024-02-29')).toBe(true);
    expect(patternOf(z.iso.date()).test('2023-02-29')).toBe(false);
    expect(patternOf(z.iso.datetime()).test('2026-12-05T10:00:00.5Z')).toBe(true);
    expect(patternOf(z.iso.datetime()).test('2026-12-05T10:00:00+08:00')).toBe(false);
    for (const text of ['', '2026-12-05', 'x']) expect(patternOf(z.string()).test(text)).toBe(false);
  });

  it('is not sure of anything that is not an object', () => {
    for (const v of [null, undefined, 'sale', 42, [], [validSale(random(7))]]) expect(surelySaleCompleted(v)).toBe(false);
  });
});

/** A sale with every optional part present, so `targets` lists every field the schema defines. */
function fullSale(): SaleCompleted {
  for (let seed = 1; ; seed++) {
    const s = validSale(random(seed));
    const line = s.lines.find((l) => l.promotions.length > 0);
    if (line && s.points && s.coupons.length > 0 && s.tenders.some((t) => t.insteadOf) && s.serviceGuideId !== undefined) return s;
  }
}
