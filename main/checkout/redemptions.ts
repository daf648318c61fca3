import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../api/errors.js';
import type { ErrorCode } from '../api/contract.js';
import type { HoldAnswer, HoldRequest } from '../../sync/protocol/holds.js';

/** HQ's holds on coupons and points (main/sync asks HQ; null on a device that never enrolled). */
export type RedemptionHolds = { hold(request: HoldRequest): Promise<HoldAnswer> };

/** What a cart redeems: its member, the coupons it uses, the points it spends. */
export type Redemption = { cartId: string; memberId: string | null; coupons: readonly string[]; points: number };

type Policy = { offline_redeem: 'refuse' | 'limit'; offline_points_per_day: number; offline_coupons_per_day: number };

const REFUSAL_CODE: Record<string, ErrorCode> = {
  used: 'COUPON_USED',
  held: 'COUPON_USED',
  expired: 'COUPON_EXPIRED',
  not_member: 'COUPON_NOT_APPLICABLE',
  unknown: 'COUPON_NOT_APPLICABLE',
  points_short: 'POINTS_INSUFFICIENT',
};

/**
 * Coupons and points are HQ's: before money moves, an online till holds what the cart redeems at
 * HQ — a second till is then refused at once, with where the coupon went — and a till HQ cannot
 * answer follows its store's offline policy (refuse, or up to a limit per member per day). What
 * is redeemed offline is settled by HQ later; a double spend becomes a listed conflict, never a
 * refused sale.
 */
export class RedemptionRules {
  private readonly policy: Statement<[string], Policy>;
  private readonly pointsToday: Statement<[string, string], { n: number }>;
  private readonly couponsToday: Statement<[string, string], { n: number }>;
  /** The last redemption HQ held per cart, so paying in several tenders asks once. */
  private readonly held = new Map<string, string>();

  constructor(
    db: Database,
    private readonly storeId: string,
    private readonly holds: RedemptionHolds | null,
    private readonly isOnline: () => boolean,
  ) {
    this.policy = db.prepare('SELECT offline_redeem, offline_points_per_day, offline_coupons_per_day FROM store_policy WHERE store_id = ?');
    this.pointsToday = db.prepare(
      `SELECT coalesce(sum(u.points), 0) AS n FROM points_use u JOIN sale s ON s.id = u.sale_id
        WHERE u.customer_id = ? AND u.offline = 1 AND s.business_day = ?`,
    );
    this.couponsToday = db.prepare(
      `SELECT count(*) AS n FROM sale_coupon c JOIN sale s ON s.id = c.sale_id WHERE s.customer_id = ? AND c.offline = 1 AND s.business_day = ?`,
    );
  }

  /**
   * Makes sure the cart may redeem what it does; answers whether it does so offline (the sale says
   * so and HQ settles it later). Throws COUPON_USED / COUPON_EXPIRED / COUPON_NOT_APPLICABLE /
   * POINTS_INSUFFICIENT with HQ's reason, or the offline policy's.
   */
  async secure(r: Redemption, businessDay: string): Promise<{ offline: boolean }> {
    if (r.coupons.length === 0 && r.points === 0) {
      // Coupons and points taken out since HQ held them: the other tills need not wait for the hold to run out.
      this.release(r.cartId);
      return { offline: !this.isOnline() };
    }
    const key = JSON.stringify([r.memberId, [...r.coupons].sort(), r.points]);
    if (this.holds && this.isOnline()) {
      if (this.held.get(r.cartId) === key) return { offline: false };
      // HQ not answering makes the till offline for this sale: its policy decides.
      const answer: HoldAnswer | null = await this.holds
        .hold({ cartId: r.cartId, customerId: r.memberId, coupons: [...r.coupons], points: r.points })
        .catch(() => null);
      if (answer) {
        const refusal = answer.refused[0];
        if (!answer.held && refusal) {
          throw new AppError(REFUSAL_CODE[refusal.reason] ?? 'COUPON_NOT_APPLICABLE', `HQ refused: ${refusal.detail}`);
        }
        this.held.set(r.cartId, key);
        return { offline: false };
      }
    }
    this.checkOfflinePolicy(r, businessDay);
    return { offline: true };
  }

  /** The cart was sold: HQ turns its hold into the redemption when the sale arrives. */
  forget(cartId: string): void {
    this.held.delete(cartId);
  }

  /**
   * The cart no longer redeems what HQ holds for it (cleared, parked, coupons and points taken out):
   * HQ drops the holds now, so another till is not refused for five minutes. Offline or unanswered,
   * they run out at HQ by themselves.
   */
  release(cartId: string): void {
    if (!this.held.delete(cartId) || !this.holds) return;
    this.holds.hold({ cartId, customerId: null, coupons: [], points: 0, release: true }).catch(() => undefined);
  }

  private checkOfflinePolicy(r: Redemption, businessDay: string): void {
    const policy = this.policy.get(this.storeId);
    // A device HQ never sent a policy (the standalone demo) keeps the old behaviour: allowed.
    if (!policy) return;
    if (policy.offline_redeem === 'refuse') {
      throw new AppError(
        r.points > 0 && r.coupons.length === 0 ? 'POINTS_INSUFFICIENT' : 'COUPON_NOT_APPLICABLE',
        'This store does not redeem coupons or points while HQ cannot be reached: remove them or wait for the network',
      );
    }
    if (!r.memberId) return;
    const points = this.pointsToday.get(r.memberId, businessDay)?.n ?? 0;
    if (points + r.points > policy.offline_points_per_day) {
      throw new AppError(
        'POINTS_INSUFFICIENT',
        `Offline, a member may redeem ${policy.offline_points_per_day} points a day here (${points} already today)`,
      );
    }
    const coupons = this.couponsToday.get(r.memberId, businessDay)?.n ?? 0;
    if (coupons + r.coupons.length > policy.offline_coupons_per_day) {
      throw new AppError(
        'COUPON_NOT_APPLICABLE',
        `Offline, a member may use ${policy.offline_coupons_per_day} coupons a day here (${coupons} already today)`,
      );
    }
  }
}
