import type { ReturnLine, TenderMethod } from '../api/contract.js';
import { fundingLeft } from '../../sync/protocol/refund-sources.js';
import type { RefundSource } from '../../sync/protocol/refund-sources.js';
import type { ReturnState } from './cart.js';
import { unitsShare } from './money.js';
import type { SalesReader } from './sales-reader.js';

/**
 * A return's money as the store holds it now: each receipt line's refund for its units after the
 * returns recorded since the cart was made, and what each payment of the receipt has left to take
 * back. Another till on the same store file may have returned from the receipt meanwhile; its
 * refund is no longer there to pay. Null when nothing changed, and when a line has more units than
 * are left: the commit refuses that return (RETURN_EXCEEDS_SALE).
 */
export function returnMoneyChanged(
  ret: ReturnState | null,
  sources: readonly RefundSource<TenderMethod>[],
  sales: SalesReader,
): { lines: ReturnLine[]; sources: RefundSource<TenderMethod>[] } | null {
  if (!ret?.saleId) return null;
  const sold = sales.get(ret.saleId).lines;
  const lines: ReturnLine[] = [];
  for (const r of ret.lines) {
    const line = r.saleLineId === null ? undefined : sold.find((l) => l.saleLineId === r.saleLineId && l.qty > 0);
    if (r.saleLineId !== null && (!line || r.qty > line.qty - line.returnedQty)) return null;
    lines.push(line ? { ...r, refundFen: unitsShare(line.totalFen, line.qty, line.returnedQty, r.qty) } : r);
  }
  const fresh = fundingLeft(ret.saleId, sales);
  const key = (s: readonly RefundSource[]) =>
    JSON.stringify(
      s.map((x) => [x.method, x.reference ?? null, x.availableFen]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  const same =
    lines.every((l, i) => l.refundFen === ret.lines[i]?.refundFen) && key(fresh) === key(sources.filter((s) => s.availableFen > 0));
  return same ? null : { lines, sources: fresh };
}
