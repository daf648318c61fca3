/**
 * The one place money is rounded. Amounts are integer fen; percentages are carried as basis
 * points (1% = 100 bp) so "8.5折" (15% off) stays exact. Every function here is pure and
 * rejects non-integer fen instead of rounding it silently.
 */

export function assertFen(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be integer fen, got ${value}`);
  return value;
}

/** 15 → 1500 bp; 12.34 → 1234 bp. Percent values beyond two decimals are refused upstream (schema). */
export function percentToBp(percent: number): number {
  return Math.round(percent * 100);
}

/**
 * The percent rule: `bp` basis points of `amountFen`, rounded half up to the fen. The customer's
 * discount and every later refund derive from this one rounding.
 */
export function percentOf(amountFen: number, bp: number): number {
  assertFen(amountFen);
  if (amountFen < 0) return -percentOf(-amountFen, bp);
  return Math.floor((amountFen * bp + 5_000) / 10_000);
}

/**
 * Splits `totalFen` over `weights` in proportion, in whole fen, by largest remainder: the shares
 * sum exactly to the total, and ties go to the earlier weight (stable, so the same cart always
 * allocates the same way). A weight of 0 gets 0. Used for order-level discounts over lines, so a
 * later return of one line refunds exactly what that line was paid.
 */
export function allocate(totalFen: number, weights: readonly number[]): number[] {
  assertFen(totalFen, 'total');
  const sum = weights.reduce((a, w) => a + assertFen(w, 'weight'), 0);
  if (weights.some((w) => w < 0)) throw new RangeError('weights must not be negative');
  if (sum === 0) {
    if (totalFen !== 0) throw new RangeError('cannot allocate a non-zero amount over zero weights');
    return weights.map(() => 0);
  }
  // BigInt for the products: 1e10 fen × 1e10 fen overflows 2^53.
  const T = BigInt(totalFen);
  const S = BigInt(sum);
  const shares = weights.map((w) => (T * BigInt(w)) / S);
  const remainders = weights.map((w, i) => ({ i, r: T * BigInt(w) - (shares[i] as bigint) * S }));
  let left = totalFen - shares.reduce((a, s) => a + Number(s), 0);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  const out = shares.map(Number);
  for (const { i } of remainders) {
    if (left <= 0) break;
    out[i] = (out[i] as number) + 1;
    left--;
  }
  return out;
}

/**
 * What `units` of a line are worth when the line of `qty` units was paid `lineTotalFen` in all:
 * the units' cumulative share, so returning 1 then 2 of 3 units refunds exactly the line's total,
 * never a fen more or less. `alreadyUnits` have been returned before.
 */
export function unitsShare(lineTotalFen: number, qty: number, alreadyUnits: number, units: number): number {
  assertFen(lineTotalFen);
  if (!Number.isSafeInteger(qty) || qty <= 0) throw new RangeError('qty must be a positive integer');
  if (alreadyUnits < 0 || units < 0 || alreadyUnits + units > qty) throw new RangeError('units out of range');
  // The first n units' share, rounded toward zero; for n = qty it is exactly the line total
  // (total × qty / qty has no remainder), so the last unit takes what rounding left over.
  const upTo = (n: number) => Number((BigInt(lineTotalFen) * BigInt(n)) / BigInt(qty));
  return upTo(alreadyUnits + units) - upTo(alreadyUnits);
}
