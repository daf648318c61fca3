import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type {
  CartState,
  Language,
  ManualDiscount,
  MemberView,
  ParkedCart,
  ParsedInput,
  SaleResult,
  SaleSummary,
  SaleView,
  ScanOutcome,
} from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../app/context.js';
import { TillSessions } from '../cashup/till-sessions.js';
import type { StaffService } from '../staff/staff-service.js';
import { classifyScan, receiptNumberOf } from '../../native/scanner/classify.js';
import { emptyCart, planRefunds, renderCart } from './cart.js';
import type { CartData, CartItem, Rendered, TenderRecord } from './cart.js';
import { CheckoutCatalog } from './checkout-catalog.js';
import type { SellableSku } from './checkout-catalog.js';
import { MemberDirectory, couponStatus } from './members.js';
import { yuan } from './money.js';
import { classifyPaymentCode } from './payments.js';
import type { PaymentProvider } from './payments.js';
import { MAX_COUPONS, priceCart } from './pricing.js';
import { PromotionBook, toCoupon } from './promotions.js';
import { deviceShortCode } from './receipt-number.js';
import { saleReceipt } from './receipt-builder.js';
import { SalesReader } from './sales-reader.js';
import { attempt } from './device-call.js';
import { settle } from './settle.js';
import type { TillDevices } from './till-devices.js';

export type CheckoutDeps = {
  staff: StaffService;
  devices: TillDevices;
  payments: PaymentProvider;
  /** Whether HQ and the payment gateway can be reached. The terminal has no HQ link yet: false. */
  isOnline: () => boolean;
  language: () => Language;
};

export type StoreInfo = { code: string; name: { zh: string; en: string }; timezone: string };

const MEMBER_CODE_RE = /^M\d{8}$/i;
const SKU_RE = /^[A-Z0-9]+-[A-Z0-9]+-[A-Z0-9]+$/i;

/**
 * The till: one cart at a time (in memory; parked carts in the store), priced by the one engine,
 * paid by one or more tenders and committed with its outbox event in one transaction. Every
 * method checks the staff session and role first.
 */
export class CheckoutService {
  readonly catalog: CheckoutCatalog;
  readonly promotions: PromotionBook;
  readonly members: MemberDirectory;
  readonly sales: SalesReader;
  readonly tills: TillSessions;
  readonly deviceCode: string;
  private storeInfo: StoreInfo | null = null;
  private readonly storeRow: Statement<[string], { code: string; name_zh: string; name_en: string; timezone: string }>;
  private cart: CartData;
  private member: MemberView | null = null;
  private busy = false;
  private readonly parkedList: Statement<[], { id: string; note: string; cart: string; parked_at: string; staff_name: string | null }>;

  constructor(
    private readonly ctx: TerminalContext,
    readonly deps: CheckoutDeps,
  ) {
    this.catalog = new CheckoutCatalog(ctx.db);
    this.promotions = new PromotionBook(ctx.db);
    this.members = new MemberDirectory(ctx.db, this.promotions);
    this.sales = new SalesReader(ctx.db);
    this.tills = new TillSessions(ctx.db);
    this.storeRow = ctx.db.prepare('SELECT code, name_zh, name_en, timezone FROM location WHERE id = ?');
    this.deviceCode = deviceShortCode(ctx.db, ctx.deviceId);
    this.cart = emptyCart(ctx.newId());
    this.parkedList = ctx.db.prepare(
      'SELECT p.id, p.note, p.cart, p.parked_at, s.name AS staff_name FROM parked_cart p LEFT JOIN staff s ON s.id = p.staff_id ORDER BY p.parked_at',
    );
  }

  /**
   * The device's store. Read again until its row exists: a freshly enrolled device gets it from
   * HQ's provisioning after the terminal has opened.
   */
  get store(): StoreInfo {
    if (this.storeInfo) return this.storeInfo;
    const row = this.storeRow.get(this.ctx.storeId);
    if (!row) return { code: 'S000', name: { zh: '', en: '' }, timezone: 'Asia/Shanghai' };
    this.storeInfo = { code: row.code, name: { zh: row.name_zh, en: row.name_en }, timezone: row.timezone };
    return this.storeInfo;
  }

  get staff(): StaffService {
    return this.deps.staff;
  }

  /** The cart's data, for the return and settle logic next to this file. */
  get data(): CartData {
    return this.cart;
  }

  render(): Rendered {
    const now = this.ctx.clock();
    const pointsValueFen = this.cart.points > 0 ? (this.members.pointsValueFen(this.cart.points) ?? 0) : 0;
    const offline = !this.deps.isOnline();
    return renderCart(this.cart, {
      promotions: this.promotions.promotions(now),
      member: this.member,
      pointsValueFen,
      offline,
      couponOffline: offline,
      now: now.toISOString(),
    });
  }

  state(): CartState {
    this.staff.active();
    return this.render().state;
  }

  /** Pushes the new cart to every screen and answers with it. */
  changed(): CartState {
    const state = this.render().state;
    this.ctx.events.emit('cart.changed', state);
    return state;
  }

  /** Items, member, coupons and points are fixed once a payment is taken: remove the payments first. */
  editable(): void {
    if (this.busy) throw new AppError('CONFLICT', 'A payment is in progress: wait for it to finish');
    if (this.cart.tenders.length > 0)
      throw new AppError('CONFLICT', 'A payment has been taken: remove the payments before changing the cart');
  }

  // ── Items ────────────────────────────────────────────────────────────────

  scan(raw: string): ScanOutcome {
    this.staff.require('sell');
    const code = raw.trim();
    const c = classifyScan(code);
    if (c.kind === 'product') {
      const sku = this.catalog.ean(c.code);
      if (!sku) throw new AppError('NOT_FOUND', `Barcode ${code} is not in the catalog`);
      return { kind: 'product', cart: this.addItem(sku, 1) };
    }
    if (c.kind === 'malformed') throw new AppError('INVALID_BARCODE', `Barcode ${code} has a wrong check digit or length`);
    if (MEMBER_CODE_RE.test(code)) return { kind: 'member', cart: this.identifyMember({ code }) };
    const receiptNo = receiptNumberOf(code);
    if (receiptNo) return { kind: 'receipt', receiptNo, cart: this.render().state };
    const method = classifyPaymentCode(code);
    if (method) return { kind: 'payment', method, code, cart: this.render().state };
    if (SKU_RE.test(code)) {
      const sku = this.catalog.sku(code);
      if (sku) return { kind: 'product', cart: this.addItem(sku, 1) };
    }
    if (this.promotions.coupon(code)) return { kind: 'coupon', cart: this.applyCoupon(code) };
    throw new AppError('NOT_FOUND', `${code} is not a product, member, coupon or receipt known here`);
  }

  addSku(code: string, qty: number): CartState {
    this.staff.require('sell');
    const sku = this.catalog.sku(code);
    if (!sku) throw new AppError('NOT_FOUND', `SKU ${code} is not in the catalog`);
    return this.addItem(sku, qty);
  }

  private addItem(sku: SellableSku, qty: number): CartState {
    this.editable();
    if (!sku.active) throw new AppError('SKU_INACTIVE', `${sku.sku} is discontinued and cannot be sold`);
    // The same SKU again adds to its line, unless that line was repriced by hand.
    const same = this.cart.items.find((i) => i.sku === sku.sku && !i.override && !i.manual);
    if (same) same.qty = Math.min(999, same.qty + qty);
    else {
      this.cart.items.push({
        lineId: this.ctx.newId(),
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
    return this.changed();
  }

  private item(lineId: string) {
    const item = this.cart.items.find((i) => i.lineId === lineId);
    if (!item) throw new AppError('NOT_FOUND', `No line ${lineId} in the cart`);
    return item;
  }

  setQty(lineId: string, qty: number): CartState {
    this.staff.require('sell');
    this.editable();
    const item = this.item(lineId);
    this.keepDiscountWithinLimit(item, qty * (item.override?.unitFen ?? item.listUnitFen));
    item.qty = qty;
    return this.changed();
  }

  /**
   * An amount off is fixed in fen: fewer units or a lower unit price make it a bigger percentage,
   * which the staff's own limit must still allow (a manager who approved the amount approved it for this line).
   */
  private keepDiscountWithinLimit(item: CartItem, gross: number): void {
    if (item.manual?.kind !== 'amount' || item.discountApprovedBy) return;
    const percent = gross === 0 ? 100 : (item.manual.amountFen * 100) / gross;
    if (percent > this.staff.maxDiscountPercent()) {
      throw new AppError(
        'APPROVAL_REQUIRED',
        `The ${yuan(item.manual.amountFen)} discount would be above your limit on ${yuan(gross)}: change the discount first`,
      );
    }
  }

  removeLine(lineId: string): CartState {
    this.staff.require('sell');
    this.editable();
    this.item(lineId);
    this.cart.items = this.cart.items.filter((i) => i.lineId !== lineId);
    return this.changed();
  }

  lineDiscount(input: ParsedInput<'checkout', 'lineDiscount'>): CartState {
    this.staff.require('sell');
    this.editable();
    const item = this.item(input.lineId);
    if (input.discount.kind === 'none') {
      item.manual = null;
      item.discountApprovedBy = null;
      return this.changed();
    }
    const gross = item.qty * (item.override?.unitFen ?? item.listUnitFen);
    const discount: ManualDiscount = input.discount;
    if (discount.kind === 'amount' && discount.amountFen > gross)
      throw new AppError('BAD_INPUT', `The discount is more than the line (${yuan(gross)})`);
    const percent = discount.kind === 'percent' ? discount.percent : gross === 0 ? 100 : (discount.amountFen * 100) / gross;
    const { approvedBy } = this.staff.authorize('discount', input.approvalToken, percent <= this.staff.maxDiscountPercent());
    item.manual = discount;
    item.discountApprovedBy = approvedBy?.id ?? null;
    return this.changed();
  }

  priceOverride(input: ParsedInput<'checkout', 'priceOverride'>): CartState {
    this.staff.require('sell');
    this.editable();
    const item = this.item(input.lineId);
    this.keepDiscountWithinLimit(item, item.qty * (input.unitFen ?? item.listUnitFen));
    if (input.unitFen === null) {
      item.override = null;
      return this.changed();
    }
    const { approvedBy } = this.staff.authorize('price_override', input.approvalToken);
    item.override = { unitFen: input.unitFen, reason: input.reason, approvedBy: approvedBy?.id ?? null };
    return this.changed();
  }

  clear(): CartState {
    this.staff.require('sell');
    if (this.cart.tenders.some((t) => t.method === 'wechat' || t.method === 'alipay')) {
      throw new AppError('CONFLICT', 'A mobile payment was taken: void it before clearing the cart');
    }
    this.reset();
    return this.changed();
  }

  /** A payment step (charge, refund, commit) is waiting on the gateway. */
  get paying(): boolean {
    return this.busy;
  }

  reset(): void {
    this.cart = emptyCart(this.ctx.newId());
    this.member = null;
  }

  // ── Park / resume ────────────────────────────────────────────────────────

  park(note: string): CartState {
    const staff = this.staff.require('sell');
    this.editable();
    if (this.cart.ret) throw new AppError('CONFLICT', 'A return cannot be parked: finish or cancel it');
    if (this.cart.items.length === 0) throw new AppError('CART_EMPTY', 'Nothing to park');
    const { id, items, memberId, coupons, points } = this.cart;
    // Device-local working state, not a business fact: no outbox event (a parked cart sells nothing).
    this.ctx.db
      .prepare('INSERT INTO parked_cart (id, staff_id, note, cart, parked_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, staff.id, note, JSON.stringify({ items, memberId, coupons, points }), this.ctx.clock().toISOString());
    this.reset();
    return this.changed();
  }

  parked(): ParkedCart[] {
    this.staff.require('sell');
    return this.parkedList.all().map((r) => {
      const data = JSON.parse(r.cart) as Pick<CartData, 'items' | 'memberId' | 'coupons' | 'points'>;
      const total = priceCart({
        lines: data.items.map((i) => ({ ...i, unitFen: i.override?.unitFen ?? i.listUnitFen, overridden: i.override !== null })),
        promotions: this.promotions.promotions(this.ctx.clock()),
        coupons: data.coupons,
        pointsFen: 0,
      }).totals.totalFen;
      return {
        parkedId: r.id,
        note: r.note,
        staffName: r.staff_name ?? '',
        itemCount: data.items.reduce((a, i) => a + i.qty, 0),
        totalFen: total,
        parkedAt: r.parked_at,
      };
    });
  }

  resume(parkedId: string): CartState {
    this.staff.require('sell');
    if (this.cart.items.length > 0 || this.cart.ret || this.cart.tenders.length > 0)
      throw new AppError('CONFLICT', 'Park or finish the current cart first');
    const row = this.ctx.db.prepare('SELECT cart FROM parked_cart WHERE id = ?').get(parkedId) as { cart: string } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No parked cart ${parkedId}`);
    const data = JSON.parse(row.cart) as Pick<CartData, 'items' | 'memberId' | 'coupons' | 'points'>;
    this.ctx.db.prepare('DELETE FROM parked_cart WHERE id = ?').run(parkedId);
    this.cart = { ...emptyCart(parkedId), ...data };
    this.member = data.memberId ? (this.members.view(data.memberId, this.ctx.clock()) ?? null) : null;
    return this.changed();
  }

  // ── Member, coupons, points ──────────────────────────────────────────────

  identifyMember(key: { code: string } | { phone: string }): CartState {
    this.staff.require('sell');
    this.editable();
    const id = this.members.find(key);
    if (!id) throw new AppError('NOT_FOUND', 'code' in key ? `No member with code ${key.code}` : 'No member with that mobile number');
    if (this.cart.memberId !== id) this.dropMemberBenefits();
    this.cart.memberId = id;
    this.member = this.members.view(id, this.ctx.clock()) ?? null;
    return this.changed();
  }

  removeMember(): CartState {
    this.staff.require('sell');
    this.editable();
    this.dropMemberBenefits();
    this.cart.memberId = null;
    this.member = null;
    return this.changed();
  }

  /** A member's own coupons and points leave with the member. */
  private dropMemberBenefits(): void {
    this.cart.points = 0;
    this.cart.coupons = this.cart.coupons.filter((c) => !this.promotions.coupon(c.code)?.customer_id);
  }

  applyCoupon(code: string): CartState {
    this.staff.require('sell');
    this.editable();
    const row = this.checkCoupon(code);
    if (this.cart.coupons.some((c) => c.code === row.code)) return this.changed();
    if (this.cart.coupons.length >= MAX_COUPONS) throw new AppError('COUPON_NOT_APPLICABLE', `At most ${MAX_COUPONS} coupons on one sale`);
    const coupon = toCoupon(row);
    const trial = { ...this.cart, coupons: [...this.cart.coupons, coupon] };
    const before = this.cart;
    this.cart = trial;
    const priced = this.render().state.coupons.at(-1);
    if (!priced?.active) {
      this.cart = before;
      const why =
        priced?.reason === 'does_not_stack'
          ? 'it cannot be combined with the coupons already applied'
          : priced?.reason === 'no_eligible_items'
            ? 'no item in the cart may take coupons'
            : `the cart does not reach its threshold (${yuan(coupon.thresholdFen)} each, on top of the other coupons)`;
      throw new AppError('COUPON_NOT_APPLICABLE', `Coupon ${row.code} cannot be used: ${why}`);
    }
    return this.changed();
  }

  /** Valid, unused and this member's: COUPON_EXPIRED / COUPON_USED / COUPON_NOT_APPLICABLE / NOT_FOUND otherwise. */
  checkCoupon(code: string) {
    const row = this.promotions.coupon(code);
    if (!row) throw new AppError('NOT_FOUND', `No coupon ${code}`);
    const status = couponStatus(row, this.ctx.clock());
    if (status === 'used') throw new AppError('COUPON_USED', `Coupon ${row.code} has already been used`);
    if (status === 'expired') throw new AppError('COUPON_EXPIRED', `Coupon ${row.code} is not valid now (until ${row.valid_until})`);
    if (row.customer_id && row.customer_id !== this.cart.memberId) {
      throw new AppError('COUPON_NOT_APPLICABLE', `Coupon ${row.code} belongs to a member: identify that member first`);
    }
    return row;
  }

  removeCoupon(code: string): CartState {
    this.staff.require('sell');
    this.editable();
    const before = this.cart.coupons.length;
    this.cart.coupons = this.cart.coupons.filter((c) => c.code.toUpperCase() !== code.toUpperCase());
    if (this.cart.coupons.length === before) throw new AppError('NOT_FOUND', `Coupon ${code} is not in the cart`);
    return this.changed();
  }

  redeemPoints(points: number): CartState {
    this.staff.require('sell');
    this.editable();
    if (points === 0) {
      this.cart.points = 0;
      return this.changed();
    }
    if (!this.cart.memberId || !this.member) throw new AppError('CONFLICT', 'Identify the member first');
    const valueFen = this.members.pointsValueFen(points);
    if (valueFen === null) throw new AppError('BAD_INPUT', `Points are redeemed in steps of ${this.members.pointsPerYuan / 100} (1 fen)`);
    const fresh = this.members.view(this.cart.memberId, this.ctx.clock());
    if (!fresh || points > fresh.points) throw new AppError('POINTS_INSUFFICIENT', `The member has ${fresh?.points ?? 0} points`);
    const saved = this.cart.points;
    this.cart.points = 0;
    const left = this.render().state.totals.totalFen;
    this.cart.points = saved;
    if (valueFen > left) throw new AppError('POINTS_INSUFFICIENT', `Points can pay at most ${yuan(left)} of this sale`);
    this.cart.points = points;
    this.member = fresh;
    return this.changed();
  }

  // ── Payment and commit (settle.ts) ───────────────────────────────────────

  addTender(input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
    return this.exclusive(() => settle.addTender(this, this.ctx, input));
  }

  removeTender(tenderId: string, approvalToken: string | undefined): Promise<CartState> {
    return this.exclusive(() => settle.removeTender(this, tenderId, approvalToken));
  }

  complete(): Promise<SaleResult> {
    return this.exclusive(() => settle.complete(this, this.ctx));
  }

  /**
   * Payment steps wait on the gateway; a second tap (or a second screen) meanwhile must not charge
   * or commit the same cart twice, so they run one at a time and a concurrent one is refused.
   */
  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new AppError('CONFLICT', 'A payment is in progress: wait for it to finish');
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }

  /** Tenders kept with their provider references. */
  get tenders(): TenderRecord[] {
    return this.cart.tenders;
  }

  setMember(view: MemberView | null): void {
    this.member = view;
  }

  // ── Sales history ────────────────────────────────────────────────────────

  businessDay(): string | null {
    return this.tills.open()?.business_day ?? null;
  }

  today(): SaleSummary[] {
    this.staff.active();
    const day = this.tills.open()?.business_day ?? this.tills.lastClosed()?.business_day;
    return day ? this.sales.ofDay(day) : [];
  }

  find(receiptNo: string): SaleView {
    this.staff.active();
    return this.sales.find(receiptNo);
  }

  byMember(memberId: string): SaleSummary[] {
    this.staff.active();
    return this.sales.ofMember(memberId);
  }

  receiptFor(sale: SaleView, copy: boolean) {
    const lang = this.deps.language();
    const member = sale.member ? this.members.view(sale.member.id, this.ctx.clock()) : undefined;
    return saleReceipt(
      sale,
      {
        language: lang,
        store: { name: lang === 'zh-CN' ? this.store.name.zh : this.store.name.en, code: this.store.code },
        deviceCode: this.deviceCode,
        timezone: this.store.timezone,
        member: member ? { tier: member.tier, pointsBalance: member.points } : null,
      },
      copy,
    );
  }

  async reprint(receiptNo: string): Promise<{ sent: boolean; error?: string }> {
    this.staff.active();
    const sale = this.sales.find(receiptNo);
    return attempt(() => this.deps.devices.printReceipt(this.receiptFor(sale, true)));
  }

  /** For the return logic. */
  refundPlan(amountFen: number) {
    return planRefunds(amountFen, this.cart.refundSources);
  }
}
