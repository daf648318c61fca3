import type { Database } from 'better-sqlite3-multiple-ciphers';
import { readIdentity } from '../client/identity.js';

/** One sale as the device that rang it up holds it in its own store file. */
export type ReportedSale = {
  saleId: string;
  storeId: string;
  customerId: string | null;
  originalSaleId: string | null;
  pointsRedeemed: number;
  pointsEarned: number;
  coupons: string[];
  /** qty < 0 for returned units. */
  lines: { id: string; sku: string; qty: number; originalLineId: string | null }[];
};

/**
 * Every sale a device says it made, read from its own SQLite store (sale, sale_line, sale_coupon),
 * never from HQ: what the fault tests hold HQ's stock, coupons and points to.
 */
export function reportedSales(db: Database): ReportedSale[] {
  const identity = readIdentity(db);
  if (!identity) throw new Error('reportedSales: the device is not enrolled, so its sales belong to no store');
  const sales = db
    .prepare('SELECT id, customer_id, original_sale_id, points_redeemed, points_earned FROM sale ORDER BY created_at, receipt_no')
    .all() as { id: string; customer_id: string | null; original_sale_id: string | null; points_redeemed: number; points_earned: number }[];
  const lines = db.prepare('SELECT id, sale_id, sku, qty, original_line_id FROM sale_line ORDER BY sale_id, line_no').all() as {
    id: string;
    sale_id: string;
    sku: string;
    qty: number;
    original_line_id: string | null;
  }[];
  const coupons = db.prepare('SELECT sale_id, code FROM sale_coupon ORDER BY sale_id, code').all() as { sale_id: string; code: string }[];
  const bySale = new Map<string, ReportedSale>();
  for (const s of sales) {
    bySale.set(s.id, {
      saleId: s.id,
      storeId: identity.storeId,
      customerId: s.customer_id,
      originalSaleId: s.original_sale_id,
      pointsRedeemed: s.points_redeemed,
      pointsEarned: s.points_earned,
      coupons: [],
      lines: [],
    });
  }
  for (const l of lines) bySale.get(l.sale_id)?.lines.push({ id: l.id, sku: l.sku, qty: l.qty, originalLineId: l.original_line_id });
  for (const c of coupons) bySale.get(c.sale_id)?.coupons.push(c.code);
  return [...bySale.values()];
}

/**
 * Sales every unit of which came back (their lines plus the return lines pointing at them leave
 * nothing): HQ gives back their coupons and burnt points (settle-redemptions.ts).
 */
export function fullyReturned(sales: readonly ReportedSale[]): Set<string> {
  const returnedByLine = new Map<string, number>();
  for (const s of sales)
    for (const l of s.lines)
      if (l.originalLineId) returnedByLine.set(l.originalLineId, (returnedByLine.get(l.originalLineId) ?? 0) + l.qty);
  const out = new Set<string>();
  for (const s of sales) {
    const sold = s.lines.filter((l) => l.qty > 0);
    if (sold.length === 0 || !sold.some((l) => returnedByLine.has(l.id))) continue;
    if (sold.reduce((n, l) => n + l.qty + (returnedByLine.get(l.id) ?? 0), 0) <= 0) out.add(s.saleId);
  }
  return out;
}
