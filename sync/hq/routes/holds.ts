import type { HoldAnswer, HoldRequest } from '../../protocol/holds.js';
import { HOLD_TTL_MS } from '../../protocol/holds.js';
import type { AuthedDevice } from '../context.js';
import type { Sql } from '../db.js';

type Refusal = HoldAnswer['refused'][number];

/**
 * Holds a cart's coupons and points for a device (sync/protocol/holds.ts), all or nothing, in one
 * transaction: expired holds are dropped, the cart's own holds replaced. A coupon must be issued,
 * valid now, the member's (when it is a member's) and not held for another cart; the points must
 * be in the member's balance less what other carts hold. The member must be the device's store's.
 */
export async function holdRedemptions(sql: Sql, device: AuthedDevice, request: HoldRequest, now: Date): Promise<HoldAnswer> {
  const answer = (held: boolean, refused: Refusal[], pointsAvailable: number | null): HoldAnswer => ({
    held,
    expiresAt: held ? new Date(now.getTime() + HOLD_TTL_MS).toISOString() : null,
    refused,
    pointsAvailable,
    serverTime: now.toISOString(),
  });
  await sql.query('DELETE FROM redemption_hold WHERE expires_at <= $1', [now]);
  await sql.query('DELETE FROM redemption_hold WHERE device_id = $1 AND cart_id = $2', [device.id, request.cartId]);
  if (request.release) return answer(false, [], null);

  // The member first: a till serves only its own store's members, and another store's is refused
  // before anything of theirs is read, locked or told (their balance, their coupons' use).
  if (request.customerId !== null) {
    const [m] = await sql.query<{ store_id: string }>('SELECT store_id FROM customer WHERE id = $1', [request.customerId]);
    if (m && m.store_id !== device.storeId) {
      return answer(
        false,
        [{ code: null, reason: 'not_member', detail: `customer ${request.customerId} is not a member of this store` }],
        null,
      );
    }
  }

  const refused: Refusal[] = [];
  for (const code of request.coupons) {
    // The coupon row is locked, so two tills asking at once are served one after the other.
    const [c] = await sql.query<{
      hq_status: string;
      customer_id: string | null;
      valid: boolean;
      receipt_no: string | null;
      store: string | null;
      held: boolean;
    }>(
      `SELECT c.hq_status, c.customer_id, (c.valid_from <= $2 AND c.valid_until > $2) AS valid, s.receipt_no, l.code AS store,
              EXISTS (SELECT 1 FROM redemption_hold h WHERE h.kind = 'coupon' AND h.key = c.code) AS held
         FROM coupon c LEFT JOIN sale s ON s.id = c.redeemed_sale_id LEFT JOIN location l ON l.id = c.redeemed_store_id
        WHERE c.code = $1 FOR UPDATE OF c`,
      [code, now],
    );
    if (!c) refused.push({ code, reason: 'unknown', detail: `HQ did not issue coupon ${code}` });
    else if (c.hq_status !== 'issued') {
      const where = c.receipt_no ? ` on ${c.receipt_no}${c.store ? ` at ${c.store}` : ''}` : '';
      refused.push({ code, reason: 'used', detail: `coupon ${code} was already used${where}` });
    } else if (!c.valid) refused.push({ code, reason: 'expired', detail: `coupon ${code} is not valid now` });
    else if (c.customer_id && c.customer_id !== request.customerId)
      refused.push({ code, reason: 'not_member', detail: `coupon ${code} is another member's` });
    else if (c.held) refused.push({ code, reason: 'held', detail: `coupon ${code} is being used at another till right now` });
  }

  let pointsAvailable: number | null = null;
  if (request.customerId !== null) {
    const [points] = await sql.query<{ points: number; held: number }>(
      `SELECT c.points, coalesce((SELECT sum(h.points) FROM redemption_hold h WHERE h.kind = 'points' AND h.key = c.id), 0)::int AS held
         FROM customer c WHERE c.id = $1 FOR UPDATE`,
      [request.customerId],
    );
    pointsAvailable = points ? points.points - points.held : null;
    if (request.points > 0 && (pointsAvailable === null || request.points > pointsAvailable)) {
      refused.push({ code: null, reason: 'points_short', detail: `the member has ${Math.max(0, pointsAvailable ?? 0)} points to spend` });
    }
  }
  if (refused.length > 0) return answer(false, refused, pointsAvailable);

  const expires = new Date(now.getTime() + HOLD_TTL_MS);
  for (const code of request.coupons) {
    await sql.query(`INSERT INTO redemption_hold (kind, key, device_id, cart_id, expires_at) VALUES ('coupon', $1, $2, $3, $4)`, [
      code,
      device.id,
      request.cartId,
      expires,
    ]);
  }
  if (request.customerId !== null && request.points > 0) {
    await sql.query(
      `INSERT INTO redemption_hold (kind, key, device_id, cart_id, points, expires_at) VALUES ('points', $1, $2, $3, $4, $5)`,
      [request.customerId, device.id, request.cartId, request.points, expires],
    );
  }
  return answer(true, [], pointsAvailable);
}
