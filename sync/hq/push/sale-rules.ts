import type { SaleCompleted } from '../../protocol/events/index.js';
import { RECEIPT_NO_RE } from '../../protocol/receipt-number.js';

/** More units on one line than a till can ring up (the device caps a line at 999): a broken or forged stock move. */
export const MAX_LINE_QTY = 999;

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * The arithmetic a sale must satisfy before HQ records it: HQ does not trust the device's sums.
 * Answers the first problem in words, or null. The device's pricing engine produces exactly
 * these relations (main/checkout/sale-commit.ts writes them), so only a broken or forged device
 * trips them:
 * - a sold line has qty > 0 and total = qty × unit − discount ≥ 0; a returned line qty < 0 and total ≤ 0;
 * - the kind matches the lines (a sale only sells, a return only takes back, an exchange does both);
 * - the sold lines add up to the totals (subtotal − discount = total), the returned ones to the refund,
 *   and net = total − refund;
 * - the tenders add up to the net, all paid in (net ≥ 0) or all paid back (net < 0);
 * - no line moves more than MAX_LINE_QTY units, no coupon or points amount is negative;
 * - the receipt number has the receipt number's form (whose store and device it is, check-facts.ts checks).
 */
export function saleProblem(p: SaleCompleted): string | null {
  if (!RECEIPT_NO_RE.test(p.receiptNo)) return `${JSON.stringify(p.receiptNo.slice(0, 64))} is not a receipt number`;
  const sold = p.lines.filter((l) => l.qty > 0);
  const returned = p.lines.filter((l) => l.qty < 0);
  const zero = p.lines.find((l) => l.qty === 0);
  if (zero) return `line ${zero.lineId} has quantity 0`;
  const huge = p.lines.find((l) => Math.abs(l.qty) > MAX_LINE_QTY);
  if (huge) return `line ${huge.lineId} moves ${huge.qty} units (at most ${MAX_LINE_QTY} a line)`;
  if (p.kind === 'sale' && (returned.length > 0 || sold.length === 0)) return 'a sale must sell and take nothing back';
  if (p.kind === 'return' && (sold.length > 0 || returned.length === 0)) return 'a return must take back and sell nothing';
  if (p.kind === 'exchange' && (sold.length === 0 || returned.length === 0)) return 'an exchange must both sell and take back';
  for (const l of sold) {
    if (l.unitFen < 0 || l.discountFen < 0 || l.totalFen < 0)
      return `line ${l.lineId}: a sold line's price, discount and total are not negative`;
    if (l.qty * l.unitFen - l.discountFen !== l.totalFen) {
      return `line ${l.lineId}: ${l.qty} × ${l.unitFen} − ${l.discountFen} is not its total ${l.totalFen}`;
    }
  }
  for (const l of returned) {
    if (l.totalFen > 0 || l.unitFen < 0) return `line ${l.lineId}: a returned line pays back (total ≤ 0)`;
  }
  const t = p.totals;
  const soldTotal = sum(sold.map((l) => l.totalFen));
  const grossTotal = sum(sold.map((l) => l.qty * l.unitFen));
  const refund = -sum(returned.map((l) => l.totalFen));
  if (soldTotal !== t.totalFen) return `the sold lines add up to ${soldTotal}, the total says ${t.totalFen}`;
  if (grossTotal !== t.subtotalFen) return `the sold lines' gross adds up to ${grossTotal}, the subtotal says ${t.subtotalFen}`;
  if (t.subtotalFen - t.discountFen !== t.totalFen)
    return `subtotal ${t.subtotalFen} − discount ${t.discountFen} is not the total ${t.totalFen}`;
  if (refund !== t.refundFen) return `the returned lines add up to ${refund}, the refund says ${t.refundFen}`;
  if (t.totalFen - t.refundFen !== t.netFen) return `total ${t.totalFen} − refund ${t.refundFen} is not the net ${t.netFen}`;
  if (t.changeFen < 0) return 'change handed back is not negative';
  const paid = sum(p.tenders.map((x) => x.amountFen));
  if (paid !== t.netFen) return `the tenders add up to ${paid}, the net is ${t.netFen}`;
  if (t.netFen >= 0 && p.tenders.some((x) => x.amountFen <= 0)) return 'a sale is paid with positive tenders only';
  if (t.netFen < 0 && p.tenders.some((x) => x.amountFen >= 0)) return 'a refund is paid back with negative tenders only';
  if (p.coupons.some((c) => c.discountFen < 0)) return 'a coupon takes off a negative amount';
  if (p.points && p.points.valueFen < 0) return 'points are worth a negative amount';
  if (returned.some((l) => l.originalLineId !== null) && p.originalSaleId === null)
    return 'returned lines name original lines but no original sale';
  return null;
}
