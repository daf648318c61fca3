import type { CartState, ManualDiscount, ParkedCart, ParsedInput, ScanOutcome, StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { ROLE_PERMISSIONS } from '../staff/permissions.js';
import type { Approvals } from '../staff/staff-service.js';
import { readScan, receiptNumberOf } from '../../native/scanner/classify.js';
import { yuan } from '../../sync/protocol/money.js';
import type { CartItem } from './cart.js';
import type { CheckoutCatalog, SellableSku } from './checkout-catalog.js';
import type { CurrentCart } from './current-cart.js';
import { couponStatus } from './members.js';
import type { MemberDirectory } from './members.js';
import type { PhoneLookupLimit } from '../core/phone-lookup-limit.js';
import type { ParkedCarts } from './parked-carts.js';
import { classifyPaymentCode, isMobile } from './payments.js';
import { MAX_COUPONS, priceCart } from './pricing.js';
import { toCoupon } from './promotions.js';
import type { CouponRow, PromotionBook } from './promotions.js';

export type CheckoutDeps = {
  cart: CurrentCart;
  catalog: CheckoutCatalog;
  promotions: PromotionBook;
  members: MemberDirectory;
  /** Lookups by a full mobile number that find nobody, per staff member (masked numbers cannot be guessed through them). */
  phoneLookups: PhoneLookupLimit;
  parked: ParkedCarts;
  approvals: Approvals;
  clock: () => Date;
  newId: () => string;
};

const MEMBER_CODE_RE = /^M\d{8}$/i;
const SKU_RE = /^[A-Z0-9]+-[A-Z0-9]+-[A-Z0-9]+$/i;

/**
 * Building the cart: items by scan or SKU, quantities, line discounts and price overrides within
 * the staff's limits, park and resume, the member, coupons and points. Who acts is given by the
 * handler's guard; a cart with payments taken is not edited (the module checks that first).
 * Payment and commit are payment-service.ts.
 */
export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  private get cart(): CurrentCart {
    return this.deps.cart;
  }

  // ── Items ────────────────────────────────────────────────────────────────

  /**
   * Everything below reads the scan's cleaned text (readScan: no AIM identifier, framing or
   * full-width characters), so a scanner that sends `]C0`/`]E0`/`]Q1`… in front of every code, or a
   * cashier typing in full width, reaches the same product, member, receipt, payment code or coupon.
   */
  scan(raw: string): ScanOutcome {
    const read = readScan(raw);
    const { text: code, classification: c } = read;
    if (c.kind === 'product') {
      const sku = this.deps.catalog.ean(c.code);
      if (!sku) throw new AppError('NOT_FOUND', `Barcode ${code} is not in the catalog`);
      return { kind: 'product', cart: this.addItem(sku, 1) };
    }
    if (c.kind === 'malformed') throw new AppError('INVALID_BARCODE', `Barcode ${code} has a wrong check digit or length`);
    // Products returned above: a GTIN-14 left (a 14-digit code, or AI 01 of a GS1 label) is a carton's.
    if (read.gtin14)
      throw new AppError('NOT_FOUND', `${read.gtin14} is a case or carton code (GTIN-14), not an item: scan the item's own barcode`);
    // A GS1 identifier means a GS1 element string: its digits are never a member, receipt or payment code.
    if (read.gs1) throw new AppError('NOT_FOUND', 'This GS1 label carries no item barcode (GTIN) the till sells');
    if (MEMBER_CODE_RE.test(code)) {
      this.cart.assertEditable();
      return { kind: 'member', cart: this.identifyMember({ code }, null) };
    }
    const receiptNo = receiptNumberOf(code);
    if (receiptNo) return { kind: 'receipt', receiptNo, cart: this.cart.state() };
    const method = classifyPaymentCode(code);
    if (method) return { kind: 'payment', method, code, cart: this.cart.state() };
    if (SKU_RE.test(code)) {
      const sku = this.deps.catalog.sku(code);
      if (sku) return { kind: 'product', cart: this.addItem(sku, 1) };
    }
    if (this.deps.promotions.coupon(code)) {
      this.cart.assertEditable();
      return { kind: 'coupon', cart: this.applyCoupon(code) };
    }
    throw new AppError('NOT_FOUND', `${code} is not a product, member, coupon or receipt known here`);
  }

  addSku(code: string, qty: number): CartState {
    const sku = this.deps.catalog.sku(code);
    if (!sku) throw new AppError('NOT_FOUND', `SKU ${code} is not in the catalog`);
    return this.addItem(sku, qty);
  }

  private addItem(sku: SellableSku, qty: number): CartState {
    this.cart.assertEditable();
    if (!sku.active) throw new AppError('SKU_INACTIVE', `${sku.sku} is discontinued and cannot be sold`);
    const items = this.cart.data.items;
    // The same SKU again adds to its line, unless that line was repriced by hand.
    const same = items.find((i) => i.sku === sku.sku && !i.override && !i.manual);
    if (same) same.qty = Math.min(999, same.qty + qty);
    else {
      items.push({
        lineId: this.deps.newId(),
        sku: sku.sku,
        ean: sku.ean,
        styleCode: sku.styleCode,
        category: sku.category,
        name: sku.name,
        colour: sku.colour,
        size: sku.size,
        qty,
        listUnitFen: sku.priceFen,
        override: null,
        manual: null,
        discountApprovedBy: null,
      });
    }
    return this.cart.changed();
  }

  private item(lineId: string): CartItem {
    const item = this.cart.data.items.find((i) => i.lineId === lineId);
    if (!item) throw new AppError('NOT_FOUND', `No line ${lineId} in the cart`);
    return item;
  }

  setQty(staff: StaffView, lineId: string, qty: number): CartState {
    const item = this.item(lineId);
    this.keepDiscountWithinLimit(staff, item, qty * (item.override?.unitFen ?? item.listUnitFen));
    item.qty = qty;
    return this.cart.changed();
  }

  /**
   * An amount off is fixed in fen: fewer units or a lower unit price make it a bigger percentage,
   * which the staff's own limit must still allow (a manager who approved the amount approved it for this line).
   */
  private keepDiscountWithinLimit(staff: StaffView, item: CartItem, gross: number): void {
    if (item.manual?.kind !== 'amount' || item.discountApprovedBy) return;
    const percent = gross === 0 ? 100 : (item.manual.amountFen * 100) / gross;
    if (percent > ROLE_PERMISSIONS[staff.role].maxDiscountPercent) {
      throw new AppError(
        'APPROVAL_REQUIRED',
        `The ${yuan(item.manual.amountFen)} discount would be above your limit on ${yuan(gross)}: change the discount first`,
      );
    }
  }

  removeLine(lineId: string): CartState {
    this.item(lineId);
    this.cart.data.items = this.cart.data.items.filter((i) => i.lineId !== lineId);
    return this.cart.changed();
  }

  lineDiscount(staff: StaffView, input: ParsedInput<'checkout', 'lineDiscount'>): CartState {
    const item = this.item(input.lineId);
    if (input.discount.kind === 'none') {
      item.manual = null;
      item.discountApprovedBy = null;
      return this.cart.changed();
    }
    const gross = item.qty * (item.override?.unitFen ?? item.listUnitFen);
    const discount: ManualDiscount = input.discount;
    if (discount.kind === 'amount' && discount.amountFen > gross)
      throw new AppError('BAD_INPUT', `The discount is more than the line (${yuan(gross)})`);
    const percent = discount.kind === 'percent' ? discount.percent : gross === 0 ? 100 : (discount.amountFen * 100) / gross;
    const withinLimit = percent <= ROLE_PERMISSIONS[staff.role].maxDiscountPercent;
    const { approvedBy } = this.deps.approvals.authorize('discount', input.approvalToken, withinLimit);
    item.manual = discount;
    item.discountApprovedBy = approvedBy?.id ?? null;
    return this.cart.changed();
  }

  priceOverride(staff: StaffView, input: ParsedInput<'checkout', 'priceOverride'>): CartState {
    const item = this.item(input.lineId);
    this.keepDiscountWithinLimit(staff, item, item.qty * (input.unitFen ?? item.listUnitFen));
    if (input.unitFen === null) {
      item.override = null;
      return this.cart.changed();
    }
    const { approvedBy } = this.deps.approvals.authorize('price_override', input.approvalToken);
    item.override = { unitFen: input.unitFen, reason: input.reason, approvedBy: approvedBy?.id ?? null };
    return this.cart.changed();
  }

  clear(): CartState {
    // A charge waiting on the gateway would land on the cleared (empty) cart.
    if (this.cart.paying) throw new AppError('CONFLICT', 'A payment is in progress: wait for it to finish');
    if (this.cart.data.refundPaid) throw new AppError('CONFLICT', 'The refund has been paid back: complete this return');
    if (this.cart.tenders.some((t) => isMobile(t.method))) {
      throw new AppError('CONFLICT', 'A mobile payment was taken: void it before clearing the cart');
    }
    this.cart.reset();
    return this.cart.changed();
  }

  // ── Park / resume ────────────────────────────────────────────────────────

  park(staff: StaffView, note: string): CartState {
    const { id, items, memberId, coupons, points, ret } = this.cart.data;
    if (ret) throw new AppError('CONFLICT', 'A return cannot be parked: finish or cancel it');
    if (items.length === 0) throw new AppError('CART_EMPTY', 'Nothing to park');
    this.deps.parked.park(id, staff.id, note, { items, memberId, coupons, points }, this.deps.clock().toISOString());
    this.cart.reset();
    return this.cart.changed();
  }

  parked(): ParkedCart[] {
    return this.deps.parked.all().map((r) => {
      const { items, coupons } = r.data;
      const total = priceCart({
        lines: items.map((i) => ({ ...i, unitFen: i.override?.unitFen ?? i.listUnitFen, overridden: i.override !== null })),
        promotions: this.deps.promotions.promotions(this.deps.clock()),
        coupons,
        pointsFen: 0,
      }).totals.totalFen;
      const itemCount = items.reduce((a, i) => a + i.qty, 0);
      return { parkedId: r.id, note: r.note, staffName: r.staffName ?? '', itemCount, totalFen: total, parkedAt: r.parkedAt };
    });
  }

  resume(parkedId: string): CartState {
    const { items, ret, tenders } = this.cart.data;
    if (items.length > 0 || ret || tenders.length > 0) throw new AppError('CONFLICT', 'Park or finish the current cart first');
    const data = this.deps.parked.take(parkedId);
    if (!data) throw new AppError('NOT_FOUND', `No parked cart ${parkedId}`);
    this.cart.restore({ id: parkedId, ...data });
    return this.cart.changed();
  }

  // ── Member, coupons, points ──────────────────────────────────────────────

  /** The cart's member, by member code or by mobile number (`staffId`: who looks a number up, counted by `phoneLookups`). */
  identifyMember(key: { code: string } | { phone: string }, staffId: string | null): CartState {
    const find = () => this.deps.members.find(key);
    let id: string | undefined;
    if ('phone' in key) {
      if (staffId === null) throw new Error('a lookup by mobile number names the staff member who makes it');
      id = this.deps.phoneLookups.lookup(staffId, this.deps.clock(), find, (found) => found === undefined);
    } else {
      id = find();
    }
    if (!id) throw new AppError('NOT_FOUND', 'code' in key ? `No member with code ${key.code}` : 'No member with that mobile number');
    this.keepReceiptMember(id);
    if (this.cart.data.memberId !== id) this.dropMemberBenefits();
    this.cart.setMember(id);
    return this.cart.changed();
  }

  removeMember(): CartState {
    this.keepReceiptMember(null);
    this.dropMemberBenefits();
    this.cart.setMember(null);
    return this.cart.changed();
  }

  /**
   * While a receipt's return is in the cart its member is the receipt's: the points the return
   * takes back are theirs, not another member's (nor kept by removing the member).
   */
  private keepReceiptMember(memberId: string | null): void {
    const ret = this.cart.data.ret;
    if (!ret?.saleId || ret.memberId === undefined || ret.memberId === memberId) return;
    throw new AppError('CONFLICT', `The return of ${ret.receiptNo} is for its own member: cancel the return to change the member`);
  }

  /** A member's own coupons and points leave with the member. */
  private dropMemberBenefits(): void {
    const data = this.cart.data;
    data.points = 0;
    data.coupons = data.coupons.filter((c) => !this.deps.promotions.coupon(c.code)?.customer_id);
  }

  applyCoupon(code: string): CartState {
    const row = this.checkCoupon(code);
    const data = this.cart.data;
    if (data.coupons.some((c) => c.code === row.code)) return this.cart.changed();
    if (data.coupons.length >= MAX_COUPONS) throw new AppError('COUPON_NOT_APPLICABLE', `At most ${MAX_COUPONS} coupons on one sale`);
    const coupon = toCoupon(row);
    data.coupons.push(coupon);
    const priced = this.cart.state().coupons.at(-1);
    if (!priced?.active) {
      data.coupons.pop();
      const why =
        priced?.reason === 'does_not_stack'
          ? 'it cannot be combined with the coupons already applied'
          : priced?.reason === 'no_eligible_items'
            ? 'no item in the cart may take coupons'
            : `the cart does not reach its threshold (${yuan(coupon.thresholdFen)} each, on top of the other coupons)`;
      throw new AppError('COUPON_NOT_APPLICABLE', `Coupon ${row.code} cannot be used: ${why}`);
    }
    return this.cart.changed();
  }

  /** Valid, unused and this member's: COUPON_EXPIRED / COUPON_USED / COUPON_NOT_APPLICABLE / NOT_FOUND otherwise. */
  checkCoupon(code: string): CouponRow {
    const row = this.deps.promotions.coupon(code);
    if (!row) throw new AppError('NOT_FOUND', `No coupon ${code}`);
    const status = couponStatus(row, this.deps.clock());
    if (status === 'used') throw new AppError('COUPON_USED', `Coupon ${row.code} has already been used`);
    if (status === 'expired') throw new AppError('COUPON_EXPIRED', `Coupon ${row.code} is not valid now (until ${row.valid_until})`);
    if (row.customer_id && row.customer_id !== this.cart.data.memberId) {
      throw new AppError('COUPON_NOT_APPLICABLE', `Coupon ${row.code} belongs to a member: identify that member first`);
    }
    return row;
  }

  removeCoupon(code: string): CartState {
    const data = this.cart.data;
    const before = data.coupons.length;
    data.coupons = data.coupons.filter((c) => c.code.toUpperCase() !== code.toUpperCase());
    if (data.coupons.length === before) throw new AppError('NOT_FOUND', `Coupon ${code} is not in the cart`);
    return this.cart.changed();
  }

  redeemPoints(points: number): CartState {
    const data = this.cart.data;
    if (points === 0) {
      data.points = 0;
      return this.cart.changed();
    }
    if (!data.memberId || !this.cart.memberView) throw new AppError('CONFLICT', 'Identify the member first');
    const valueFen = this.deps.members.pointsValueFen(points);
    if (valueFen === null)
      throw new AppError('BAD_INPUT', `Points are redeemed in steps of ${this.deps.members.pointsPerYuan / 100} (1 fen)`);
    const fresh = this.deps.members.view(data.memberId, this.deps.clock());
    if (!fresh || points > fresh.points) throw new AppError('POINTS_INSUFFICIENT', `The member has ${fresh?.points ?? 0} points`);
    const saved = data.points;
    data.points = 0;
    const left = this.cart.state().totals.totalFen;
    data.points = saved;
    if (valueFen > left) throw new AppError('POINTS_INSUFFICIENT', `Points can pay at most ${yuan(left)} of this sale`);
    data.points = points;
    this.cart.refreshMember(fresh);
    return this.cart.changed();
  }
}
