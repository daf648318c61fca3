import type { TenderMethod } from '../api/contract.js';

/** Money that paid for a sale and can go back the way it came: a tender (and its reference). */
export type RefundSource = { method: TenderMethod; availableFen: number; reference?: string };

/** A sale's money as the refund logic needs it. */
export type SaleMoney = {
  saleId: string;
  originalSaleId: string | null;
  /** What its sold lines were worth (after discounts). */
  totalFen: number;
  /** What its returned lines took back (used as credit in an exchange, or paid back). */
  refundFen: number;
  tenders: { method: TenderMethod; amountFen: number; reference: string | null }[];
};

export type SaleLookup = {
  money(saleId: string): SaleMoney | undefined;
  /** The returns and exchanges made against a sale, oldest first. */
  returnsOf(saleId: string): SaleMoney[];
};

/** Exchange chains longer than this are followed no further (what is beyond goes to cash). */
const MAX_CHAIN = 16;

/** Refund order: card and mobile money first, biggest first; cash last. */
export function refundOrder(a: RefundSource, b: RefundSource): number {
  return (a.method === 'cash' ? 1 : 0) - (b.method === 'cash' ? 1 : 0) || b.availableFen - a.availableFen;
}

/**
 * Takes `amountFen` out of `pool` in refund order; answers what it took, per source. The pool is
 * changed: what is taken is no longer available.
 */
export function take(pool: RefundSource[], amountFen: number): RefundSource[] {
  const taken: RefundSource[] = [];
  let left = amountFen;
  for (const s of [...pool].sort(refundOrder)) {
    if (left <= 0) break;
    const n = Math.min(left, s.availableFen);
    if (n <= 0) continue;
    s.availableFen -= n;
    left -= n;
    taken.push({ ...s, availableFen: n });
  }
  return taken;
}

/**
 * What paid for a sale and has not gone back yet, following the money across exchanges: a sale's
 * own tenders, plus — for an exchange — the credit its returned items brought, which came from the
 * original sale's money (card stays card through a chain of exchanges). Earlier returns against
 * the sale have taken their refunds out, in refund order, as they did when they were made.
 * `before`: replay only the returns made before that one (the state when it was made).
 */
export function fundingLeft(saleId: string, lookup: SaleLookup, before?: string, depth = 0): RefundSource[] {
  const sale = lookup.money(saleId);
  if (!sale) return [];
  const pool: RefundSource[] = [];
  for (const t of sale.tenders) {
    if (t.amountFen <= 0) continue;
    const same = pool.find((p) => p.method === t.method && (p.reference ?? null) === t.reference);
    if (same) same.availableFen += t.amountFen;
    else pool.push({ method: t.method, availableFen: t.amountFen, ...(t.reference ? { reference: t.reference } : {}) });
  }
  // An exchange paid its new items partly with the returned items' value: that money came from the original sale.
  const credit = Math.min(sale.refundFen, sale.totalFen);
  if (sale.originalSaleId && credit > 0 && depth < MAX_CHAIN) {
    pool.push(...take(fundingLeft(sale.originalSaleId, lookup, sale.saleId, depth + 1), credit));
  }
  for (const r of lookup.returnsOf(saleId)) {
    if (r.saleId === before) break;
    take(pool, r.refundFen);
  }
  return pool.filter((p) => p.availableFen > 0);
}
