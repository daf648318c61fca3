import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import { yuan } from '../../protocol/money.js';
import { MAX_CHAIN } from '../../protocol/refund-sources.js';
import type { AuthedDevice } from '../context.js';
import type { Sql } from '../db.js';

/**
 * Settles the coupons and points of recorded sales, in HQ's receive order, inside the projector's
 * transaction (exactly once: only events the projector took off projection_queue, whose sale it
 * wrote just now, reach here, and every ledger entry is unique by event id):
 * - a coupon is redeemed if it is still issued; one already used (on another till, another
 *   store) is a conflict — the sale stands, the discount it gave is at risk;
 * - points are burnt if the balance holds them; otherwise the whole redemption is a conflict and
 *   the balance is left as it was (the points were not there to spend);
 * - points earned are credited (a return's negative earn takes them back, never more than its sale
 *   was credited and earlier returns left); a return that takes back points the member has spent
 *   since is a conflict: the balance goes below zero, the sale stands;
 * - a return that takes back the last unit of a sale restores that sale's coupons and points;
 * - points a balance cannot hold (`customer.points` is an integer: a till bug earning 10⁹ per sale)
 *   are not credited, and that is a conflict: the sale stands.
 * Each sale that used or earned a member's points or used a coupon gets a `sale_settlement` row,
 * fed to its store's tills, which then stop counting their own spend and show HQ's figures.
 */
export async function settleRedemptions(sql: Sql, device: AuthedDevice, events: readonly OutboxEvent[], now: Date): Promise<void> {
  for (const event of events) {
    if (event.type !== 'sale.completed') continue;
    const sale = event.payload as SaleCompleted;
    const customer = sale.customerId;
    const redeemed = sale.points?.redeemed ?? 0;
    const earned = sale.points?.earned ?? 0;
    if (sale.coupons.length === 0 && (customer === null || (redeemed === 0 && earned === 0)) && sale.originalSaleId === null) continue;
    const problems: string[] = [];
    const usedElsewhere: string[] = [];
    let atRisk = 0;

    for (const c of sale.coupons) {
      const taken = await sql.query(
        `UPDATE coupon SET hq_status = 'used', redeemed_sale_id = $2, redeemed_at = $3, redeemed_store_id = $4
          WHERE code = $1 AND hq_status = 'issued' RETURNING code`,
        [c.code, sale.saleId, event.occurredAt, device.storeId],
      );
      if (taken.length === 0) {
        problems.push(await couponProblem(sql, c.code));
        usedElsewhere.push(c.code);
        atRisk += c.discountFen;
      }
      await sql.query(`DELETE FROM redemption_hold WHERE kind = 'coupon' AND key = $1`, [c.code]);
    }

    let burnt = 0;
    if (customer !== null && redeemed > 0) {
      const paid = await sql.query<{ points: number }>(
        'UPDATE customer SET points = points - $2 WHERE id = $1 AND points >= $2 RETURNING points',
        [customer, redeemed],
      );
      if (paid.length > 0) {
        burnt = redeemed;
        await entry(sql, customer, event.id, sale.saleId, 'burn', -redeemed);
      } else {
        const [row] = await sql.query<{ points: number }>('SELECT points FROM customer WHERE id = $1', [customer]);
        problems.push(
          row
            ? `${redeemed} points redeemed, the balance was ${row.points}`
            : `${redeemed} points of member ${customer}, whom HQ does not know`,
        );
        atRisk += sale.points?.valueFen ?? 0;
      }
      await sql.query(`DELETE FROM redemption_hold WHERE kind = 'points' AND key = $1 AND device_id = $2`, [customer, device.id]);
    }

    let credited = 0;
    let uncredited = 0;
    // A return takes back at most what its sale was credited and earlier returns left: points the
    // balance could not hold were never given, and taking them back would charge the member for them.
    const earnedHere =
      earned < 0 && sale.originalSaleId !== null ? Math.max(earned, -(await creditLeft(sql, sale.originalSaleId, event.id))) : earned;
    if (customer !== null && earnedHere !== 0) {
      const added = await addPoints(sql, customer, earnedHere);
      if (added.ok) {
        credited = earnedHere;
        await entry(sql, customer, event.id, sale.saleId, 'earn', earnedHere);
      } else if (added.balance !== null) {
        uncredited = Math.abs(earnedHere);
        problems.push(
          `${uncredited} points ${earnedHere > 0 ? 'earned' : 'taken back'}, which a balance of ${added.balance} cannot hold: not credited`,
        );
      }
    }

    if (sale.originalSaleId !== null) {
      const unrestored = await restoreIfFullyReturned(sql, sale.originalSaleId, event.id);
      if (unrestored) {
        problems.push(unrestored.problem);
        uncredited += unrestored.points;
      }
    }

    // A return takes back the points its sale earned. A member who has spent them since owes them:
    // the balance goes below zero (the ledger stays whole, later earnings pay it off), and finance
    // sees what was spent (after a full return's burnt points came back, which may cover it).
    let owed = 0;
    if (credited < 0) {
      const [after] = await sql.query<{ points: number }>('SELECT points FROM customer WHERE id = $1', [customer]);
      if (after && after.points < 0) {
        owed = Math.min(-credited, -after.points);
        problems.push(`${-credited} points taken back, ${owed} of them already spent: the balance is ${after.points}`);
      }
    }

    if (sale.coupons.length === 0 && customer === null) continue;
    const conflict = problems.length > 0 ? problems.join('; ').slice(0, 1000) : null;
    await sql.query(
      `INSERT INTO sale_settlement (sale_id, store_id, customer_id, points_burnt, points_earned, conflict, at_risk_fen, settled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sale_id) DO NOTHING`,
      [sale.saleId, device.storeId, customer, burnt, credited, conflict, atRisk, now],
    );
    if (conflict) {
      await sql.query(
        `INSERT INTO settlement_conflict (event_id, sale_id, receipt_no, store_id, device_id, customer_id, coupons, points, at_risk_fen, detail, offline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING`,
        [
          event.id,
          sale.saleId,
          sale.receiptNo,
          device.storeId,
          device.id,
          customer,
          usedElsewhere,
          (burnt === redeemed ? 0 : redeemed) + owed + uncredited,
          atRisk,
          atRisk > 0 ? `${conflict} (${yuan(atRisk)} at risk)` : conflict,
          sale.offline,
        ],
      );
    }
  }
}

/** `customer.points` is a PostgreSQL integer: the range a balance can hold. */
const POINTS_MIN = -2_147_483_648;
const POINTS_MAX = 2_147_483_647;

/**
 * Adds `delta` to a member's balance where the balance can hold the sum. A sum out of range would
 * make PostgreSQL refuse the whole projection, and the sale with it: instead the balance is left
 * as it was and the caller flags it for finance (the sale stands). `balance` is null for a member
 * HQ does not know.
 */
async function addPoints(sql: Sql, customer: string, delta: number): Promise<{ ok: true } | { ok: false; balance: number | null }> {
  const done = await sql.query(
    'UPDATE customer SET points = points + $2 WHERE id = $1 AND points::int8 + $2::int8 BETWEEN $3 AND $4 RETURNING id',
    [customer, delta, POINTS_MIN, POINTS_MAX],
  );
  if (done.length > 0) return { ok: true };
  const [row] = await sql.query<{ points: number }>('SELECT points FROM customer WHERE id = $1', [customer]);
  return { ok: false, balance: row?.points ?? null };
}

/**
 * The points a sale was credited that its returns (other than event `eventId`) have not taken back
 * yet; Infinity for a sale HQ does not have (nothing to measure the take-back against). An exchange
 * was credited only its net (its new items' points less those its returned items took back), and
 * the rest of its new items' points stayed with the sale it exchanged: what that sale has left
 * counts too, up the chain (as far as refunds follow it), or returning an item bought in an
 * exchange would leave the member the points of what was given back for it.
 */
async function creditLeft(sql: Sql, saleId: string, eventId: string): Promise<number> {
  let total = 0;
  let id: string | null = saleId;
  for (let depth = 0; id !== null && depth <= MAX_CHAIN; depth++) {
    const [row]: { known: boolean; left: string; kind: string | null; original: string | null }[] = await sql.query(
      `SELECT EXISTS (SELECT 1 FROM sale WHERE id = $1) AS known,
              (SELECT kind FROM sale WHERE id = $1) AS kind,
              (SELECT original_sale_id FROM sale WHERE id = $1) AS original,
              (coalesce((SELECT sum(points) FROM points_entry WHERE sale_id = $1 AND kind = 'earn'), 0)
               + coalesce((SELECT sum(e.points) FROM points_entry e JOIN sale r ON r.id = e.sale_id
                            WHERE r.original_sale_id = $1 AND e.kind = 'earn' AND e.points < 0 AND e.event_id <> $2), 0))::text AS left`,
      [id, eventId],
    );
    if (!row?.known) return depth === 0 ? Infinity : total;
    total += Math.max(0, Number(row.left));
    id = row.kind === 'exchange' ? row.original : null;
  }
  return total;
}

async function entry(
  sql: Sql,
  customer: string,
  eventId: string,
  saleId: string,
  kind: 'earn' | 'burn' | 'restore',
  points: number,
): Promise<void> {
  await sql.query(
    `INSERT INTO points_entry (customer_id, event_id, sale_id, kind, points) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, kind) DO NOTHING`,
    [customer, eventId, saleId, kind, points],
  );
}

/** Why a coupon could not be redeemed: where it went, for the store and for finance. */
async function couponProblem(sql: Sql, code: string): Promise<string> {
  const [row] = await sql.query<{ hq_status: string; receipt_no: string | null; store: string | null }>(
    `SELECT c.hq_status, s.receipt_no, l.code AS store
       FROM coupon c LEFT JOIN sale s ON s.id = c.redeemed_sale_id LEFT JOIN location l ON l.id = c.redeemed_store_id
      WHERE c.code = $1`,
    [code],
  );
  if (!row) return `coupon ${code} is not one HQ issued`;
  if (row.hq_status === 'revoked') return `coupon ${code} was revoked`;
  return `coupon ${code} was already used${row.receipt_no ? ` on ${row.receipt_no}` : ''}${row.store ? ` at ${row.store}` : ''}`;
}

/**
 * A sale returned to the last unit gives back what it spent: its coupons are issued again and
 * its burnt points come back (a partial return keeps them spent: the refund already left out the
 * coupon's and the points' share of each line). Returns the problem and the points for finance
 * when the balance cannot hold the points restored (they are not).
 */
async function restoreIfFullyReturned(
  sql: Sql,
  originalSaleId: string,
  eventId: string,
): Promise<{ problem: string; points: number } | null> {
  const [left] = await sql.query<{ left: number; customer_id: string | null; burnt: number | null }>(
    `SELECT coalesce(sum(l.qty + coalesce((
              SELECT sum(r.qty) FROM sale_line r JOIN sale rs ON rs.id = r.sale_id JOIN event re ON re.id = rs.event_id
               WHERE r.original_line_id = l.id AND re.hq_seq <= (SELECT hq_seq FROM event WHERE id = $2)), 0)), 0)::int AS left,
            (SELECT customer_id FROM sale WHERE id = $1) AS customer_id,
            (SELECT -sum(points)::int FROM points_entry WHERE sale_id = $1 AND kind = 'burn')
              - coalesce((SELECT sum(points)::int FROM points_entry WHERE sale_id = $1 AND kind = 'restore'), 0) AS burnt
       FROM sale_line l WHERE l.sale_id = $1 AND l.qty > 0`,
    [originalSaleId, eventId],
  );
  if (!left || left.left > 0) return null;
  await sql.query(
    `UPDATE coupon SET hq_status = 'issued', redeemed_sale_id = NULL, redeemed_at = NULL, redeemed_store_id = NULL WHERE redeemed_sale_id = $1`,
    [originalSaleId],
  );
  if (left.customer_id && left.burnt) {
    const restored = await sql.query(
      `INSERT INTO points_entry (customer_id, event_id, sale_id, kind, points) VALUES ($1, $2, $3, 'restore', $4)
       ON CONFLICT (event_id, kind) DO NOTHING RETURNING id`,
      [left.customer_id, eventId, originalSaleId, left.burnt],
    );
    if (restored.length > 0) {
      const added = await addPoints(sql, left.customer_id, left.burnt);
      if (!added.ok && added.balance !== null) {
        await sql.query(`DELETE FROM points_entry WHERE event_id = $1 AND kind = 'restore'`, [eventId]);
        return {
          problem: `${left.burnt} points to restore, which a balance of ${added.balance} cannot hold: not restored`,
          points: left.burnt,
        };
      }
    }
  }
  return null;
}
