import type { SaleCompleted } from '../../protocol/events/index.js';
import { yuan } from '../../protocol/money.js';
import { MAX_CHAIN, fundingLeft, originalLinesRefundFen, refundFromOriginalFen, take } from '../../protocol/refund-sources.js';
import type { SaleLookup, SaleMoney } from '../../protocol/refund-sources.js';
import type { Sql } from '../db.js';
import type { RecordedEvent } from './effects.js';

type MoneyRow = {
  id: string;
  original_sale_id: string | null;
  total_fen: string;
  refund_fen: string;
  tenders: [string, string, string | null][];
};

/** A refund tender that did not go back the way its money came, as `refund_exception` keeps it. */
export type RefundException = {
  eventId: string;
  n: number;
  saleId: string;
  storeId: string;
  businessDay: string;
  originalSaleId: string | null;
  method: string;
  insteadOf: string | null;
  amountFen: number;
  unfundedFen: number;
  detail: string;
};

/**
 * Checks the refunds of the returns and exchanges among `events` (sales the projector wrote just
 * now, in this transaction) against the original sale's money, with the till's own rule
 * (sync/protocol/refund-sources.ts): what paid for the sale, across exchanges, less what the
 * returns HQ received before this one took back. Each refund tender is matched to the money of
 * the method it came from (`insteadOf` where a manager approved paying it another way). One that
 * was paid another way, or that took more than that money had left, goes on `refund_exception`
 * for finance. The refund itself stands: it happened, and its sale, lines and stock are written.
 */
export async function checkRefunds(sql: Sql, events: readonly RecordedEvent[]): Promise<void> {
  const refunds = events.flatMap((e) => {
    if (e.type !== 'sale.completed') return [];
    const sale = e.payload as SaleCompleted;
    // A no-receipt return (no original) is paid in cash by the till's rule: any other way is listed.
    return sale.tenders.some((t) => t.amountFen < 0) ? [{ event: e, sale, original: sale.originalSaleId }] : [];
  });
  if (refunds.length === 0) return;
  const lookup = await moneyOf(
    sql,
    refunds.flatMap((r) => (r.original === null ? [] : [r.original])),
  );
  const found: RefundException[] = [];
  for (const { event, sale, original } of refunds) found.push(...exceptionsOf(event.id, event.storeId, sale, original, lookup));
  if (found.length === 0) return;
  const col = <K extends keyof RefundException>(k: K) => found.map((x) => x[k]);
  await sql.query(
    `INSERT INTO refund_exception (event_id, n, sale_id, store_id, business_day, original_sale_id, method, instead_of, amount_fen, unfunded_fen, detail)
     SELECT * FROM unnest($1::uuid[], $2::int4[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::int8[], $11::text[])
     ON CONFLICT (event_id, n) DO NOTHING`,
    [
      col('eventId'),
      col('n'),
      col('saleId'),
      col('storeId'),
      col('businessDay'),
      col('originalSaleId'),
      col('method'),
      col('insteadOf'),
      col('amountFen'),
      col('unfundedFen'),
      col('detail'),
    ],
  );
}

/** The exceptions among one return's refund tenders (`n`: the tender's place, as in `sale_tender`). */
export function exceptionsOf(
  eventId: string,
  storeId: string,
  sale: SaleCompleted,
  original: string | null,
  lookup: SaleLookup,
): RefundException[] {
  // The original's money as it stood when this return was made (returns HQ received before it
  // taken out); a no-receipt return has none, and goes back in cash.
  const pool = original === null ? [] : fundingLeft(original, lookup, sale.saleId);
  // What lines returned without a receipt brought back (less what paid for new items after the
  // original's lines did) the till pays in cash: cash up to that is no one's money to follow.
  const refundFen = Math.max(0, -sale.totals.netFen);
  let inCash = refundFen - Math.min(refundFen, refundFromOriginalFen(originalLinesRefundFen(sale.lines), sale.totals.totalFen));
  const out: RefundException[] = [];
  sale.tenders.forEach((t, i) => {
    if (t.amountFen >= 0) return;
    const amountFen = -t.amountFen;
    const from = t.insteadOf ?? t.method;
    const free = from === 'cash' ? Math.min(inCash, amountFen) : 0;
    inCash -= free;
    const left = pool.filter((s) => s.method === from);
    const had = left.reduce((a, s) => a + s.availableFen, 0);
    const funded = free + take(left, amountFen - free).reduce((a, s) => a + s.availableFen, 0);
    const unfundedFen = amountFen - funded;
    if (t.insteadOf === undefined && unfundedFen === 0) return;
    const parts = [
      t.insteadOf !== undefined ? `${yuan(amountFen)} paid back by ${t.method} instead of ${t.insteadOf} (approved on the till)` : null,
      unfundedFen > 0
        ? original === null
          ? `${yuan(amountFen)} back to ${from} on a return with no receipt (the till pays those in cash)`
          : `${yuan(amountFen)} back to ${from}, the sale's ${from} money had ${yuan(had)} left`
        : null,
    ];
    out.push({
      eventId,
      n: i + 1,
      saleId: sale.saleId,
      storeId,
      businessDay: sale.businessDay,
      originalSaleId: original,
      method: t.method,
      insteadOf: t.insteadOf ?? null,
      amountFen,
      unfundedFen,
      detail: `${sale.receiptNo}: ${parts.filter((p) => p !== null).join('; ')}`.slice(0, 1000),
    });
  });
  return out;
}

/**
 * The money of every sale the refund rule may follow from `saleIds`: each sale, the sales it
 * exchanged (up to MAX_CHAIN links back), and the returns against all of them, with their tenders.
 * Returns are in HQ's receive order.
 */
async function moneyOf(sql: Sql, saleIds: readonly string[]): Promise<SaleLookup> {
  const rows = await sql.query<MoneyRow>(
    `WITH RECURSIVE chain (id, depth) AS (
       SELECT DISTINCT unnest($1::text[]), 0
       UNION
       SELECT s.original_sale_id, c.depth + 1 FROM chain c JOIN sale s ON s.id = c.id
        WHERE s.original_sale_id IS NOT NULL AND c.depth < $2
     ), involved AS (
       SELECT id FROM chain
       UNION
       SELECT r.id FROM sale r WHERE r.original_sale_id IN (SELECT id FROM chain)
     )
     SELECT s.id, s.original_sale_id, s.total_fen::text AS total_fen,
            coalesce((SELECT -sum(l.total_fen) FROM sale_line l WHERE l.sale_id = s.id AND l.original_line_id IS NOT NULL), 0)::text AS refund_fen,
            coalesce((SELECT json_agg(json_build_array(t.method, t.amount_fen::text, t.reference) ORDER BY t.n)
                        FROM sale_tender t WHERE t.sale_id = s.id), '[]') AS tenders
       FROM sale s JOIN event e ON e.id = s.event_id
      WHERE s.id IN (SELECT id FROM involved)
      ORDER BY e.hq_seq`,
    [saleIds, MAX_CHAIN],
  );
  const money = new Map<string, SaleMoney>();
  const returns = new Map<string, SaleMoney[]>();
  for (const r of rows) {
    const m: SaleMoney = {
      saleId: r.id,
      originalSaleId: r.original_sale_id,
      totalFen: Number(r.total_fen),
      refundFen: Number(r.refund_fen),
      tenders: r.tenders.map(([method, amount, reference]) => ({ method, amountFen: Number(amount), reference })),
    };
    money.set(r.id, m);
    if (r.original_sale_id !== null) {
      const list = returns.get(r.original_sale_id) ?? [];
      list.push(m);
      returns.set(r.original_sale_id, list);
    }
  }
  return { money: (id) => money.get(id), returnsOf: (id) => returns.get(id) ?? [] };
}
