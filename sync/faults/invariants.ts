/**
 * The end-to-end invariants every chaos, kill -9 and restart test ends on: HQ's stock, coupons and
 * points equal what the DEVICES say they sold (their own store files), never what HQ's own sale
 * rows say — so an effect HQ applied twice, or lost, fails here even when the device has since
 * pulled HQ's (wrong) numbers.
 *
 * HQ may apply a push's effects after it answered it (a projector), so the check polls HQ's public
 * tables (stock, customer, coupon, settlement_conflict) until they match or a deadline passes, and
 * then fails listing every difference. It reads no projector-internal table.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { HqDb } from '../hq/db.js';
import { fullyReturned, reportedSales } from './device-report.js';
import type { ReportedSale } from './device-report.js';

/** What HQ held before the devices sold: stock by `location/sku`, the SKUs it knows, points and coupon states. */
export type Baseline = {
  stock: Map<string, number>;
  skus: Set<string>;
  points: Map<string, number>;
  coupons: Map<string, string>;
};

/** The four queries' rows a Baseline is made of (HQ's PostgreSQL/PGlite or a device's SQLite). */
type BaselineRows = {
  stock: { k: string; qty: number }[];
  skus: { sku: string }[];
  points: { id: string; points: number }[];
  coupons: { code: string; hq_status: string }[];
};

function baselineOf(rows: BaselineRows): Baseline {
  return {
    stock: new Map(rows.stock.map((r) => [r.k, r.qty])),
    skus: new Set(rows.skus.map((r) => r.sku)),
    points: new Map(rows.points.map((r) => [r.id, r.points])),
    coupons: new Map(rows.coupons.map((c) => [c.code, c.hq_status])),
  };
}

/** HQ's own figures, taken before any device sells. */
export async function hqBaseline(db: HqDb): Promise<Baseline> {
  return baselineOf({
    stock: await db.query("SELECT location_id || '/' || sku AS k, qty::int AS qty FROM stock"),
    skus: await db.query('SELECT sku FROM sku'),
    points: await db.query('SELECT id, points::int AS points FROM customer'),
    coupons: await db.query('SELECT code, hq_status FROM coupon'),
  });
}

/**
 * HQ's figures as a freshly provisioned device pulled them, before it sold anything (for a test
 * whose HQ runs in a child process that holds the database): its store's and the warehouses'
 * stock, the catalog, its store's members and their coupons.
 */
export function deviceBaseline(db: Database): Baseline {
  return baselineOf({
    stock: db.prepare("SELECT location_id || '/' || sku AS k, qty FROM stock").all() as BaselineRows['stock'],
    skus: db.prepare('SELECT sku FROM sku').all() as BaselineRows['skus'],
    points: db.prepare('SELECT id, points FROM customer').all() as BaselineRows['points'],
    coupons: db.prepare('SELECT code, hq_status FROM coupon').all() as BaselineRows['coupons'],
  });
}

/** Records a stock change the test itself made at HQ (a delivery, a count), so the invariant expects it. */
export function adjustStock(baseline: Baseline, locationId: string, sku: string, delta: number): void {
  const key = `${locationId}/${sku}`;
  baseline.stock.set(key, (baseline.stock.get(key) ?? 0) + delta);
}

/**
 * Waits (polling, at most `timeoutMs`) until HQ's stock, coupons and points match the sales the
 * devices hold; throws listing every difference if they never do.
 */
export async function expectHqMatchesDevices(
  db: HqDb,
  baseline: Baseline,
  devices: readonly Database[],
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const sales = devices.flatMap((d) => reportedSales(d));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const differences = await hqDifferences(db, baseline, sales);
    if (differences.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `HQ does not match the ${sales.length} sales the devices hold, after waiting ${timeoutMs} ms: ${differences.length} difference(s)\n  ` +
          differences.slice(0, 40).join('\n  '),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}

/** Every way HQ's stock, coupons and points differ from baseline + what the devices sold (empty: none). */
async function hqDifferences(db: HqDb, baseline: Baseline, sales: readonly ReportedSale[]): Promise<string[]> {
  const conflicts = await db.query<{ sale_id: string; coupons: string[] | null; points: number }>(
    'SELECT sale_id, coupons, points::int AS points FROM settlement_conflict WHERE sale_id = ANY($1::text[])',
    [sales.map((s) => s.saleId)],
  );
  const conflictOf = new Map(conflicts.map((c) => [c.sale_id, { coupons: new Set(c.coupons ?? []), points: c.points }]));
  const returned = fullyReturned(sales);
  return [
    ...(await stockDifferences(db, baseline, sales)),
    ...(await pointsDifferences(db, baseline, sales, conflictOf, returned)),
    ...(await couponDifferences(db, baseline, sales, conflictOf, returned)),
  ];
}

type Conflicts = Map<string, { coupons: Set<string>; points: number }>;

async function stockDifferences(db: HqDb, baseline: Baseline, sales: readonly ReportedSale[]): Promise<string[]> {
  const sold = new Map<string, number>();
  for (const s of sales)
    for (const l of s.lines)
      if (baseline.skus.has(l.sku)) sold.set(`${s.storeId}/${l.sku}`, (sold.get(`${s.storeId}/${l.sku}`) ?? 0) + l.qty);
  const locations = new Set([...baseline.stock.keys(), ...sold.keys()].map((k) => k.slice(0, k.indexOf('/'))));
  const rows = await db.query<{ k: string; qty: number }>(
    "SELECT location_id || '/' || sku AS k, qty::int AS qty FROM stock WHERE location_id = ANY($1::text[])",
    [[...locations]],
  );
  const hq = new Map(rows.map((r) => [r.k, r.qty]));
  const out: string[] = [];
  for (const k of [...new Set([...baseline.stock.keys(), ...sold.keys(), ...hq.keys()])].sort()) {
    const seeded = baseline.stock.get(k) ?? 0;
    const expected = seeded - (sold.get(k) ?? 0);
    const actual = hq.get(k) ?? 0;
    if (actual !== expected)
      out.push(
        `stock ${k}: HQ ${actual}, expected ${expected} (HQ’s start plus its own changes ${seeded} − sold ${sold.get(k) ?? 0} by the devices)`,
      );
  }
  return out;
}

async function pointsDifferences(
  db: HqDb,
  baseline: Baseline,
  sales: readonly ReportedSale[],
  conflictOf: Conflicts,
  returned: Set<string>,
): Promise<string[]> {
  const expected = new Map(baseline.points);
  const out: string[] = [];
  for (const s of sales) {
    if (s.customerId === null || !expected.has(s.customerId)) continue;
    const conflict = conflictOf.get(s.saleId);
    // A redemption HQ refused (the balance was spent elsewhere) is listed with exactly the points the till took.
    const refused = conflict !== undefined && conflict.points > 0;
    if (refused && conflict.points !== s.pointsRedeemed)
      out.push(`points conflict of sale ${s.saleId}: HQ lists ${conflict.points}, the device redeemed ${s.pointsRedeemed}`);
    const burnt = refused || returned.has(s.saleId) ? 0 : s.pointsRedeemed;
    expected.set(s.customerId, (expected.get(s.customerId) ?? 0) + s.pointsEarned - burnt);
  }
  const ids = [...new Set(sales.map((s) => s.customerId).filter((c): c is string => c !== null && expected.has(c)))];
  const rows = await db.query<{ id: string; points: number }>('SELECT id, points::int AS points FROM customer WHERE id = ANY($1::text[])', [
    ids,
  ]);
  for (const r of rows)
    if (r.points !== expected.get(r.id))
      out.push(
        `points of ${r.id}: HQ ${r.points}, expected ${expected.get(r.id)} (seeded ${baseline.points.get(r.id)} + earned − redeemed)`,
      );
  return out;
}

async function couponDifferences(
  db: HqDb,
  baseline: Baseline,
  sales: readonly ReportedSale[],
  conflictOf: Conflicts,
  returned: Set<string>,
): Promise<string[]> {
  const users = new Map<string, ReportedSale[]>();
  for (const s of sales) for (const code of s.coupons) users.set(code, [...(users.get(code) ?? []), s]);
  const codes = [...new Set([...baseline.coupons.keys(), ...users.keys()])];
  const rows = await db.query<{ code: string; hq_status: string; redeemed_sale_id: string | null }>(
    'SELECT code, hq_status, redeemed_sale_id FROM coupon WHERE code = ANY($1::text[])',
    [codes],
  );
  const hq = new Map(rows.map((r) => [r.code, r]));
  const out: string[] = [];
  for (const code of codes.sort()) {
    const seeded = baseline.coupons.get(code);
    const row = hq.get(code);
    const spenders = users.get(code) ?? [];
    // Each sale that spent it either redeemed it at HQ or is listed as a conflict over it.
    const redeemers = spenders.filter((s) => !conflictOf.get(s.saleId)?.coupons.has(code));
    const holding = redeemers.filter((s) => !returned.has(s.saleId));
    if (seeded !== 'issued' && redeemers.length > 0)
      out.push(
        `coupon ${code}: HQ had it ${seeded ?? 'not at all'}, yet sale(s) ${redeemers.map((s) => s.saleId).join(', ')} are not listed as conflicts`,
      );
    if (seeded === 'issued' && spenders.length > 0 && redeemers.length === 0)
      out.push(`coupon ${code}: every sale that spent it (${spenders.length}) is a conflict; the first should have redeemed it`);
    if (holding.length > 1)
      out.push(`coupon ${code}: redeemed by ${holding.length} sales (${holding.map((s) => s.saleId).join(', ')}), at most one may hold it`);
    const expectedStatus = holding.length > 0 ? 'used' : redeemers.length > 0 ? 'issued' : seeded;
    const status = row?.hq_status;
    if (status !== expectedStatus) out.push(`coupon ${code}: HQ ${status ?? 'has no row'}, expected ${expectedStatus ?? 'no row'}`);
    const holder = holding[0];
    if (holder && row?.redeemed_sale_id !== holder.saleId)
      out.push(`coupon ${code}: HQ says sale ${row?.redeemed_sale_id ?? '(none)'} redeemed it, the devices say ${holder.saleId}`);
  }
  return out;
}
