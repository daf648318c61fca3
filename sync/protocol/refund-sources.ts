/**
 * Where a refund's money goes back to, following it across exchanges. Shared by the till, which
 * plans a refund with it (main/returns, main/checkout/cart.ts), and HQ, which checks the refunds
 * it receives against the same rule (sync/hq/projector/check-refunds.ts). `M`: the tender methods
 * the caller knows (the till's TenderMethod; HQ takes any method a device sends).
 */

/** Money that paid for a sale and can go back the way it came: a tender (and its reference). */
export type RefundSource<M extends string = string> = { method: M; availableFen: number; reference?: string };

/** A sale's money as the refund logic needs it. */
export type SaleMoney<M extends string = string> = {
  saleId: string;
  originalSaleId: string | null;
  /** What its sold lines were worth (after discounts). */
  totalFen: number;
  /**
   * What its returned lines of the original sale took back (used as credit in an exchange, or paid
   * back); lines returned without a receipt beside them do not count: they were paid in cash.
   */
  refundFen: number;
  tenders: { method: M; amountFen: number; reference: string | null }[];
};

export type SaleLookup<M extends string = string> = {
  money(saleId: string): SaleMoney<M> | undefined;
  /** The returns and exchanges made against a sale, oldest first. */
  returnsOf(saleId: string): SaleMoney<M>[];
};

/** Exchange chains longer than this are followed no further (what is beyond goes to cash). */
export const MAX_CHAIN = 16;

/**
 * What a sale's returned lines of its original sale bring back, in fen (positive): lines returned
 * without a receipt beside them are not the original's (a sold line has no original either).
 */
export function originalLinesRefundFen(lines: readonly { qty: number; totalFen: number; originalLineId: string | null }[]): number {
  return lines.reduce((a, l) => a - (l.qty < 0 && l.originalLineId !== null ? l.totalFen : 0), 0);
}

/**
 * Of a return's refund, what goes back over the original sale's money: what the original's lines
 * brought back, less what paid for new items (an exchange's credit comes out of them first). The
 * rest, brought back by lines returned without a receipt, is paid in cash, as such a return is.
 */
export function refundFromOriginalFen(originalLinesFen: number, newItemsFen: number): number {
  return Math.max(0, originalLinesFen - newItemsFen);
}

/** Refund order: card and mobile money first, biggest first; cash last. */
export function refundOrder<M extends string>(a: RefundSource<M>, b: RefundSource<M>): number {
  return (a.method === 'cash' ? 1 : 0) - (b.method === 'cash' ? 1 : 0) || b.availableFen - a.availableFen;
}

/**
 * Takes `amountFen` out of `pool` in refund order; answers what it took, per source. The pool is
 * changed: what is taken is no longer available.
 */
export function take<M extends string>(pool: RefundSource<M>[], amountFen: number): RefundSource<M>[] {
  const taken: RefundSource<M>[] = [];
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
export function fundingLeft<M extends string>(saleId: string, lookup: SaleLookup<M>, before?: string, depth = 0): RefundSource<M>[] {
  const sale = lookup.money(saleId);
  if (!sale) return [];
  const pool: RefundSource<M>[] = [];
  for (const t of sale.tenders) if (t.amountFen > 0) addSource(pool, t.method, t.amountFen, t.reference);
  // An exchange paid its new items partly with the returned items' value: that money came from the
  // original sale.
  const credit = creditOf(sale);
  if (sale.originalSaleId && credit > 0 && depth < MAX_CHAIN) {
    pool.push(...takeReturn(fundingLeft(sale.originalSaleId, lookup, sale.saleId, depth + 1), sale));
  }
  // What paid for its new items beyond that credit and its own tenders: items returned without a
  // receipt beside them, which are paid back in cash — as cash it goes back again.
  const paidIn = sale.tenders.reduce((a, t) => a + Math.max(0, t.amountFen), 0);
  const noReceipt = sale.totalFen - credit - paidIn;
  if (noReceipt > 0) addSource(pool, 'cash' as M, noReceipt, null);
  for (const r of lookup.returnsOf(saleId)) {
    if (r.saleId === before) break;
    takeReturn(pool, r);
  }
  return pool.filter((p) => p.availableFen > 0);
}

/** What of a return's value paid for its new items (an exchange's credit), the rest being paid back. */
function creditOf(r: SaleMoney<string>): number {
  return Math.min(r.refundFen, r.totalFen);
}

/**
 * Takes a return out of its original sale's `pool` as the till made it: what it paid back first
 * (planned in refund order over the same money), then its credit from what is left — card money
 * refunded to the card is not the card money that paid for the new items too. One take of the sum
 * would re-sort (biggest first) and leave the sale money the credit already holds. Answers the
 * credit's sources.
 */
function takeReturn<M extends string>(pool: RefundSource<M>[], r: SaleMoney<M>): RefundSource<M>[] {
  take(pool, refundFromOriginalFen(r.refundFen, r.totalFen));
  return take(pool, creditOf(r));
}

/** Adds money to the pool, to the source of the same method and reference if there is one. */
function addSource<M extends string>(pool: RefundSource<M>[], method: M, amountFen: number, reference: string | null): void {
  const same = pool.find((p) => p.method === method && (p.reference ?? null) === reference);
  if (same) same.availableFen += amountFen;
  else pool.push({ method, availableFen: amountFen, ...(reference ? { reference } : {}) });
}
