import type { CartState, ParsedInput, SaleKind, SaleResult, SaleView, StaffView, TenderMethod } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { attempt } from '../core/peripherals.js';
import type { Peripherals } from '../core/peripherals.js';
import type { TillSessions } from '../cashup/till-sessions.js';
import { requireCapability } from '../staff/permissions.js';
import type { Approvals } from '../staff/staff-service.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { yuan } from '../../sync/protocol/money.js';
import type { CheckoutService } from './checkout-service.js';
import type { CurrentCart } from './current-cart.js';
import type { MemberDirectory } from './members.js';
import { classifyPaymentCode, UNIONPAY_NOT_TAKEN } from './payments.js';
import type { PaymentProvider } from './payments.js';
import type { RedemptionRules } from './redemptions.js';
import { commitSale } from './sale-commit.js';
import { storeLocalDate } from '../cashup/business-day.js';
import type { SalesReader } from './sales-reader.js';

export type PaymentDeps = {
  ctx: Pick<TerminalContext, 'outbox' | 'clock' | 'newId' | 'storeId' | 'store' | 'events' | 'announceSync'>;
  cart: CurrentCart;
  /** Coupons are checked again at commit (time passed since they went in). */
  checkout: Pick<CheckoutService, 'checkCoupon'>;
  members: MemberDirectory;
  approvals: Approvals;
  payments: PaymentProvider;
  /** Whether HQ and the payment gateway can be reached. */
  isOnline: () => boolean;
  tills: TillSessions;
  sales: SalesReader;
  receipt: (sale: SaleView, copy: boolean) => ReceiptDocument;
  peripherals: Peripherals;
  deviceCode: string;
  /** HQ's holds online, the store's policy offline: what the cart may redeem. */
  redemptions: RedemptionRules;
};

/**
 * Paying for the cart and committing it: split tender, mobile payment through the provider,
 * refunds back to the original tenders; the sale and its outbox event in one transaction, then
 * the drawer and the receipt (whose failure never undoes the sale). Payment steps wait on the
 * gateway, so they run one at a time (CurrentCart.exclusive).
 */
export class PaymentService {
  constructor(private readonly deps: PaymentDeps) {}

  addTender(input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
    return this.deps.cart.exclusive(() => this.take(input));
  }

  removeTender(tenderId: string, approvalToken: string | undefined): Promise<CartState> {
    return this.deps.cart.exclusive(() => this.void(tenderId, approvalToken));
  }

  complete(staff: StaffView): Promise<SaleResult> {
    return this.deps.cart.exclusive(() => this.commit(staff));
  }

  private async take(input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
    const { cart, ctx } = this.deps;
    const state = cart.state();
    if (state.lines.length === 0 && !state.return) throw new AppError('CART_EMPTY', 'Nothing to pay for');
    const due = state.totals.dueFen;
    if (due <= 0)
      throw new AppError('CONFLICT', state.totals.netFen < 0 ? 'This is a refund: complete it to pay the customer back' : 'Nothing is due');
    // Before the first money moves, the coupons and points must be the cart's to spend (HQ holds them online).
    if (cart.tenders.length === 0) await this.secureRedemptions(state);
    const tenderId = ctx.newId();
    if (input.method === 'cash') {
      const amountFen = Math.min(input.givenFen, due);
      cart.addTender({ tenderId, method: 'cash', amountFen, givenFen: input.givenFen, changeFen: input.givenFen - amountFen });
    } else if (input.method !== 'mobile') {
      if (input.amountFen > due) throw new AppError('BAD_INPUT', `Only ${yuan(due)} is due`);
      cart.addTender({ tenderId, method: input.method, amountFen: input.amountFen, reference: input.reference });
    } else {
      const method = classifyPaymentCode(input.code);
      if (!method) throw new AppError('BAD_INPUT', 'That is not a WeChat Pay or Alipay payment code');
      if (method === 'unionpay') throw new AppError('PAYMENT_DECLINED', UNIONPAY_NOT_TAKEN);
      const amountFen = input.amountFen ?? due;
      if (amountFen > due) throw new AppError('BAD_INPUT', `Only ${yuan(due)} is due`);
      if (!this.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: mobile payment codes cannot be charged now');
      const result = await this.deps.payments.charge({ method, code: input.code, amountFen, requestId: tenderId });
      if (!result.ok) throw new AppError('PAYMENT_DECLINED', `${method === 'wechat' ? 'WeChat Pay' : 'Alipay'} declined: ${result.reason}`);
      cart.addTender({ tenderId, method, amountFen, reference: result.providerRef, providerRef: result.providerRef, requestId: tenderId });
    }
    return cart.changed();
  }

  private async void(tenderId: string, approvalToken: string | undefined): Promise<CartState> {
    const { cart } = this.deps;
    const tender = cart.tenders.find((t) => t.tenderId === tenderId);
    if (!tender) throw new AppError('NOT_FOUND', `No payment ${tenderId} in the cart`);
    if (tender.method === 'wechat' || tender.method === 'alipay') {
      this.deps.approvals.authorize('void_tender', approvalToken);
      if (!this.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: the mobile payment cannot be refunded now');
      const r = await this.deps.payments.refund({
        method: tender.method,
        providerRef: tender.providerRef ?? '',
        amountFen: tender.amountFen,
        requestId: `${tenderId}-void`,
      });
      if (!r.ok) throw new AppError('PAYMENT_DECLINED', `The refund was refused: ${r.reason}`);
    }
    cart.removeTender(tenderId);
    return cart.changed();
  }

  /**
   * The points in the cart must all be paid with: once the cart shrank below their value (an item
   * removed, a coupon or promotion added after redeeming), the engine caps their value but the sale
   * would still debit every redeemed point. (Capped points leave nothing due, so no tender is taken first.)
   */
  private assertPointsUsable(state: CartState): void {
    if (!state.points) return;
    if (this.deps.members.pointsValueFen(state.points.redeemed) !== state.points.valueFen) {
      throw new AppError('POINTS_INSUFFICIENT', `Points can pay only ${yuan(state.points.valueFen)} of this sale now: redeem fewer points`);
    }
  }

  /** HQ's hold (online) or the store's offline policy on the cart's coupons and points; whether they go offline. */
  private secureRedemptions(state: CartState): Promise<{ offline: boolean }> {
    const { cart, ctx, tills } = this.deps;
    const coupons = state.coupons.filter((c) => c.active && c.discountFen > 0).map((c) => c.code);
    const day = tills.open()?.business_day ?? storeLocalDate(ctx.clock(), ctx.store().timezone);
    return this.deps.redemptions.secure(
      { cartId: cart.data.id, memberId: cart.data.memberId, coupons, points: state.points?.redeemed ?? 0 },
      day,
    );
  }

  private async commit(staff: StaffView): Promise<SaleResult> {
    const { cart: current, ctx } = this.deps;
    const cart = current.data;
    // Selling needs `tender`, taking something back needs `returns` (the guard let any active staff in).
    requireCapability(staff, cart.items.length > 0 ? 'tender' : 'returns');
    if (cart.ret && cart.ret.lines.length > 0) requireCapability(staff, 'returns');
    const session = this.deps.tills.open();
    if (!session) throw new AppError('TILL_NOT_OPEN', 'Open the till with the float first');
    const rendered = current.render();
    const { state } = rendered;
    if (state.lines.length === 0 && (state.return?.lines.length ?? 0) === 0) throw new AppError('CART_EMPTY', 'The cart is empty');
    if (state.totals.dueFen > 0) throw new AppError('TENDER_SHORT', `${yuan(state.totals.dueFen)} is still due`);
    for (const c of state.coupons) if (c.active && c.discountFen > 0) this.deps.checkout.checkCoupon(c.code);
    this.assertPointsUsable(state);
    if (state.points && cart.memberId) {
      const fresh = this.deps.members.view(cart.memberId, ctx.clock());
      if (!fresh || fresh.points < state.points.redeemed)
        throw new AppError('POINTS_INSUFFICIENT', 'The member no longer has those points');
    }
    const online = this.deps.isOnline();
    const redemption = await this.secureRedemptions(state);
    const refunds: { method: TenderMethod; amountFen: number; reference?: string }[] = [];
    const saleId = ctx.newId();
    for (const r of state.refunds) {
      if (r.method === 'wechat' || r.method === 'alipay') {
        if (!online) throw new AppError('PAYMENT_OFFLINE', 'Refunds to WeChat Pay / Alipay need the network');
        const original = cart.refundSources.find((s) => s.method === r.method);
        // Keyed by the cart, not the attempt: when the commit below fails after the gateway paid out,
        // the cashier's retry asks for the same refund again and the gateway answers it once.
        const requestId = `${cart.id}-refund-${r.method}-${r.amountFen}`;
        const res = await this.deps.payments.refund({
          method: r.method,
          providerRef: original?.reference ?? '',
          amountFen: r.amountFen,
          requestId,
        });
        if (!res.ok) throw new AppError('PAYMENT_DECLINED', `The refund was refused: ${res.reason}`);
        refunds.push({ ...r, reference: res.providerRef });
      } else refunds.push(r);
    }
    const hasItems = state.lines.length > 0;
    const hasReturn = (state.return?.lines.length ?? 0) > 0;
    const kind: SaleKind = hasItems && hasReturn ? 'exchange' : hasItems ? 'sale' : 'return';
    const { receiptNo } = commitSale(ctx.outbox, {
      saleId,
      kind,
      staffId: staff.id,
      sessionId: session.id,
      businessDay: session.business_day,
      storeCode: ctx.store().code,
      deviceCode: this.deps.deviceCode,
      storeId: ctx.storeId,
      customerId: cart.memberId,
      items: cart.items,
      ret: cart.ret,
      rendered,
      tenders: cart.tenders,
      refunds,
      points: state.points ? { redeemed: state.points.redeemed, valueFen: state.points.valueFen } : null,
      // 1 point per whole yuan paid; a refund takes its points back. HQ's rule decides in the end.
      pointsEarned: cart.memberId ? Math.trunc(state.totals.netFen / 100) : 0,
      offline: !online || redemption.offline,
      createdAt: ctx.clock().toISOString(),
    });
    this.deps.redemptions.forget(cart.id);
    ctx.announceSync();
    const sale = this.deps.sales.find(receiptNo);
    ctx.events.emit('sale.completed', sale);
    current.reset();
    const cashMoved = sale.tenders.some((t) => t.method === 'cash');
    const drawer = cashMoved
      ? await attempt(() => this.deps.peripherals.openDrawer({ kind: 'cash_sale', staffId: staff.id, note: receiptNo }))
      : null;
    const receipt = await attempt(() => this.deps.peripherals.printReceipt(this.deps.receipt(sale, false)));
    return {
      sale,
      receipt: receipt.error ? { sent: false, error: receipt.error } : { sent: true },
      drawer: drawer ? (drawer.error ? { opened: false, error: drawer.error } : { opened: true }) : null,
      cart: current.changed(),
    };
  }
}
