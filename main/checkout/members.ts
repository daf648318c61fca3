import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { MemberCoupon, MemberView, Tier } from '../api/contract.js';
import type { CouponRow, PromotionBook } from './promotions.js';

/** 100 points = ￥1 unless meta `points_per_yuan` says otherwise (HQ's rule, pulled with the store). */
export const DEFAULT_POINTS_PER_YUAN = 100;

type CustomerRow = { id: string; name: string; phone: string; tier: Tier; points: number; code: string | null; spent: number };

export function couponStatus(c: CouponRow, now: Date): MemberCoupon['status'] {
  if (c.used_sale_id || c.hq_status !== 'issued') return 'used';
  const t = now.toISOString();
  return t < c.valid_from || t >= c.valid_until ? 'expired' : 'available';
}

/**
 * A phone number as every screen shows it (list, profile, task, the till's member strip): the
 * only masking there is. It fails closed, whatever the shape (an imported `+86…`, a landline,
 * spaces or dashes): a mobile (11 digits and more, after a mainland country code) shows its first
 * 3 and last 4 digits, a landline (7 to 10) its last 4, and anything shorter nothing — at least 3
 * digits stay hidden.
 */
export function maskPhone(phone: string): string {
  const all = phone.replace(/\D/g, '');
  const digits = /^(?:00)?86(1\d{10})$/.exec(all)?.[1] ?? all;
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return digits.length >= 7 ? `****${digits.slice(-4)}` : '****';
}

/** Members as the till sees them: HQ's last figures with this device's sales HQ has not settled yet on top. */
export class MemberDirectory {
  private readonly byCode: Statement<[string], CustomerRow>;
  private readonly byPhone: Statement<[string], CustomerRow>;
  private readonly byId: Statement<[string], CustomerRow>;
  readonly pointsPerYuan: number;

  constructor(
    db: Database,
    private readonly promotions: PromotionBook,
  ) {
    // HQ's balance, less what this device spent and plus what it credited in sales HQ has not
    // settled yet: once HQ settles a sale (sale_settlement), its balance holds it (never counted twice).
    const cols = `c.id, c.name, c.phone, c.tier, c.points, m.code,
      coalesce((SELECT sum(u.points) FROM points_use u WHERE u.customer_id = c.id
                  AND NOT EXISTS (SELECT 1 FROM sale_settlement x WHERE x.sale_id = u.sale_id)), 0)
      - coalesce((SELECT sum(s.points_earned) FROM sale s WHERE s.customer_id = c.id
                  AND NOT EXISTS (SELECT 1 FROM sale_settlement x WHERE x.sale_id = s.id)), 0) AS spent
      FROM customer c LEFT JOIN member_code m ON m.customer_id = c.id`;
    // Only the device's own store's members (issue 11: a customer of another store is never shown).
    const own = `c.store_id = (SELECT value FROM meta WHERE key = 'store_id')`;
    this.byCode = db.prepare(`SELECT ${cols} WHERE m.code = ? COLLATE NOCASE AND ${own}`);
    this.byPhone = db.prepare(`SELECT ${cols} WHERE c.phone = ? AND ${own} ORDER BY c.id LIMIT 1`);
    this.byId = db.prepare(`SELECT ${cols} WHERE c.id = ? AND ${own}`);
    const rate = db.prepare("SELECT value FROM meta WHERE key = 'points_per_yuan'").get() as { value: string } | undefined;
    this.pointsPerYuan = rate && Number(rate.value) > 0 ? Number(rate.value) : DEFAULT_POINTS_PER_YUAN;
  }

  find(key: { code: string } | { phone: string }): string | undefined {
    return ('code' in key ? this.byCode.get(key.code) : this.byPhone.get(key.phone))?.id;
  }

  view(customerId: string, now: Date): MemberView | undefined {
    const r = this.byId.get(customerId);
    if (!r) return undefined;
    const coupons = this.promotions.couponsOf(r.id).map((c): MemberCoupon => ({
      code: c.code,
      kind: c.kind,
      name: { zh: c.name_zh, en: c.name_en },
      valueFen: c.value_fen,
      thresholdFen: c.threshold_fen,
      percent: c.percent_bp / 100,
      stackable: c.stackable === 1,
      validUntil: c.valid_until,
      status: couponStatus(c, now),
    }));
    return {
      id: r.id,
      code: r.code ?? '',
      name: r.name,
      phone: maskPhone(r.phone),
      tier: r.tier,
      points: Math.max(0, r.points - r.spent),
      pointsPerYuan: this.pointsPerYuan,
      coupons,
    };
  }

  /** Points → fen at the rate; the points must be a whole number of fen. */
  pointsValueFen(points: number): number | null {
    const fen = (points * 100) / this.pointsPerYuan;
    return Number.isInteger(fen) ? fen : null;
  }
}
