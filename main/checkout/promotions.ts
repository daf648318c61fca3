import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { CouponKind, PromotionKind } from '../api/contract.js';
import type { Coupon, Promotion, PromotionScope } from './pricing.js';

type PromotionRow = {
  id: string;
  kind: PromotionKind;
  name_zh: string;
  name_en: string;
  scope: string;
  percent_bp: number;
  price_fen: number;
  threshold_fen: number;
  off_fen: number;
  repeat: number;
  coupons_allowed: number;
  with_item_promotions: number;
};

export type CouponRow = {
  code: string;
  customer_id: string | null;
  kind: CouponKind;
  name_zh: string;
  name_en: string;
  value_fen: number;
  threshold_fen: number;
  percent_bp: number;
  stackable: number;
  valid_from: string;
  valid_until: string;
  hq_status: 'issued' | 'used' | 'revoked';
  /** Set when this device already spent it. */
  used_sale_id: string | null;
};

export function toCoupon(r: CouponRow): Coupon {
  return {
    code: r.code,
    kind: r.kind,
    name: { zh: r.name_zh, en: r.name_en },
    valueFen: r.value_fen,
    thresholdFen: r.threshold_fen,
    percentBp: r.percent_bp,
    stackable: r.stackable === 1,
  };
}

/** Promotions active now. Cached for a minute: they change only when HQ sends new ones, and a scan must not re-read them. */
export class PromotionBook {
  private readonly active: Statement<[string, string], PromotionRow>;
  private readonly couponStmt: Statement<[string], CouponRow>;
  private readonly memberCoupons: Statement<[string], CouponRow>;
  private cache: { at: number; list: Promotion[] } | null = null;

  constructor(db: Database) {
    this.active = db.prepare('SELECT * FROM promotion WHERE valid_from <= ? AND valid_until > ? ORDER BY id');
    // Used here counts until HQ settles the sale that used it; from then on HQ's status says (a return restores it).
    const couponCols = `c.*, u.sale_id AS used_sale_id FROM coupon c
      LEFT JOIN coupon_use u ON u.code = c.code AND NOT EXISTS (SELECT 1 FROM sale_settlement x WHERE x.sale_id = u.sale_id)`;
    this.couponStmt = db.prepare(`SELECT ${couponCols} WHERE c.code = ? COLLATE NOCASE`);
    this.memberCoupons = db.prepare(`SELECT ${couponCols} WHERE c.customer_id = ? ORDER BY c.valid_until, c.code`);
  }

  promotions(now: Date): Promotion[] {
    const t = now.getTime();
    if (this.cache && t - this.cache.at < 60_000 && t >= this.cache.at) return this.cache.list;
    const iso = now.toISOString();
    const list = this.active.all(iso, iso).map((r) => ({
      id: r.id,
      kind: r.kind,
      name: { zh: r.name_zh, en: r.name_en },
      scope: JSON.parse(r.scope) as PromotionScope,
      percentBp: r.percent_bp,
      priceFen: r.price_fen,
      thresholdFen: r.threshold_fen,
      offFen: r.off_fen,
      repeat: r.repeat === 1,
      couponsAllowed: r.coupons_allowed === 1,
      withItemPromotions: r.with_item_promotions === 1,
    }));
    this.cache = { at: t, list };
    return list;
  }

  coupon(code: string): CouponRow | undefined {
    return this.couponStmt.get(code);
  }

  couponsOf(customerId: string): CouponRow[] {
    return this.memberCoupons.all(customerId);
  }
}
