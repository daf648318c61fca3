import type { CartState, ParsedInput, SaleKind, SaleResult, TenderMethod } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../app/context.js';
import type { CheckoutService } from './checkout-service.js';
import { attempt } from './device-call.js';
import { yuan } from './money.js';
import { classifyPaymentCode } from './payments.js';
import { commitSale } from './sale-commit.js';

/**
 * The points in the cart must all be paid with: once the cart shrank below their value (an item
 * removed, a coupon or promotion added after redeeming), the engine caps their value but the sale
 * would still debit every redeemed point. (Capped points leave nothing due, so no tender is taken first.)
 */
function assertPointsUsable(till: CheckoutService, state: CartState): void {
  if (!state.points) return;
  if (till.members.pointsValueFen(state.points.redeemed) !== state.points.valueFen) {
    throw new AppError('POINTS_INSUFFICIENT', `Points can pay only ${yuan(state.points.valueFen)} of this sale now: redeem fewer points`);
  }
}

/** Payment and the commit of a sale: split tender, mobile payment through the provider, refunds to the original tender. */
export const settle = {
  async addTender(till: CheckoutService, ctx: TerminalContext, input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
    till.staff.require('tender');
    const state = till.render().state;
    if (state.lines.length === 0 && !state.return) throw new AppError('CART_EMPTY', 'Nothing to pay for');
    const due = state.totals.dueFen;
    if (due <= 0)
      throw new AppError('CONFLICT', state.totals.netFen < 0 ? 'This is a refund: complete it to pay the customer back' : 'Nothing is due');
    const tenderId = ctx.newId();
    if (input.method === 'cash') {
      const amountFen = Math.min(input.givenFen, due);
      till.tenders.push({ tenderId, method: 'cash', amountFen, givenFen: input.givenFen, changeFen: input.givenFen - amountFen });
    } else if (input.method !== 'mobile') {
      if (input.amountFen > due) throw new AppError('BAD_INPUT', `Only ${yuan(due)} is due`);
      till.tenders.push({ tenderId, method: input.method, amountFen: input.amountFen, reference: input.reference });
    } else {
      const method = classifyPaymentCode(input.code);
      if (!method) throw new AppError('BAD_INPUT', 'That is not a WeChat Pay or Alipay payment code');
      const amountFen = input.amountFen ?? due;
      if (amountFen > due) throw new AppError('BAD_INPUT', `Only ${yuan(due)} is due`);
      if (!till.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: mobile payment codes cannot be charged now');
      const result = await till.deps.payments.charge({ method, code: input.code, amountFen, requestId: tenderId });
      if (!result.ok) throw new AppError('PAYMENT_DECLINED', `${method === 'wechat' ? 'WeChat Pay' : 'Alipay'} declined: ${result.reason}`);
      till.tenders.push({
        tenderId,
        method,
        amountFen,
        reference: result.providerRef,
        providerRef: result.providerRef,
        requestId: tenderId,
      });
    }
    return till.changed();
  },

  async removeTender(till: CheckoutService, tenderId: string, approvalToken: string | undefined): Promise<CartState> {
    till.staff.require('tender');
    const tender = till.tenders.find((t) => t.tenderId === tenderId);
    if (!tender) throw new AppError('NOT_FOUND', `No payment ${tenderId} in the cart`);
    if (tender.method === 'wechat' || tender.method === 'alipay') {
      till.staff.authorize('void_tender', approvalToken);
      if (!till.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: the mobile payment cannot be refunded now');
      const r = await till.deps.payments.refund({
        method: tender.method,
        providerRef: tender.providerRef ?? '',
        amountFen: tender.amountFen,
        requestId: `${tenderId}-void`,
      });
      if (!r.ok) throw new AppError('PAYMENT_DECLINED', `The refund was refused: ${r.reason}`);
    }
    till.data.tenders = till.tenders.filter((t) => t.tenderId !== tenderId);
    return till.changed();
  },

  async complete(till: CheckoutService, ctx: TerminalContext): Promise<SaleResult> {
    const cart = till.data;
    const staff = till.staff.require(cart.items.length > 0 ? 'tender' : 'returns');
    if (cart.ret && cart.ret.lines.length > 0) till.staff.require('returns');
    const session = till.tills.open();
    if (!session) throw new AppError('TILL_NOT_OPEN', 'Open the till with the float first');
    const rendered = till.render();
    const { state } = rendered;
    if (state.lines.length === 0 && (state.return?.lines.length ?? 0) === 0) throw new AppError('CART_EMPTY', 'The cart is empty');
    if (state.totals.dueFen > 0) throw new AppError('TENDER_SHORT', `${yuan(state.totals.dueFen)} is still due`);
    // Time passed since the coupons went in: check again that each is still valid and unused.
    for (const c of state.coupons) if (c.active && c.discountFen > 0) till.checkCoupon(c.code);
    assertPointsUsable(till, state);
    if (state.points && cart.memberId) {
      const fresh = till.members.view(cart.memberId, ctx.clock());
      if (!fresh || fresh.points < state.points.redeemed)
        throw new AppError('POINTS_INSUFFICIENT', 'The member no longer has those points');
    }
    const online = till.deps.isOnline();
    const refunds: { method: TenderMethod; amountFen: number; reference?: string }[] = [];
    const saleId = ctx.newId();
    for (const r of state.refunds) {
      if (r.method === 'wechat' || r.method === 'alipay') {
        if (!online) throw new AppError('PAYMENT_OFFLINE', 'Refunds to WeChat Pay / Alipay need the network');
        const original = cart.refundSources.find((s) => s.method === r.method);
        // Keyed by the cart, not the attempt: when the commit below fails after the gateway paid out,
        // the cashier's retry asks for the same refund again and the gateway answers it once.
        const requestId = `${cart.id}-refund-${r.method}-${r.amountFen}`;
        const res = await till.deps.payments.refund({
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
    const now = ctx.clock().toISOString();
    const { receiptNo } = commitSale(ctx.outbox, {
      saleId,
      kind,
      staffId: staff.id,
      sessionId: session.id,
      businessDay: session.business_day,
      storeCode: till.store.code,
      deviceCode: till.deviceCode,
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
      offline: !online,
      createdAt: now,
    });
    ctx.announceSync();
    const sale = till.sales.find(receiptNo);
    ctx.events.emit('sale.completed', sale);
    till.reset();
    const cashMoved = sale.tenders.some((t) => t.method === 'cash');
    const drawer = cashMoved
      ? await attempt(() => till.deps.devices.openDrawer({ kind: 'cash_sale', staffId: staff.id, note: receiptNo }))
      : null;
    const receipt = await attempt(() => till.deps.devices.printReceipt(till.receiptFor(sale, false)));
    return {
      sale,
      receipt: receipt.error ? { sent: false, error: receipt.error } : { sent: true },
      drawer: drawer ? (drawer.error ? { opened: false, error: drawer.error } : { opened: true }) : null,
      cart: till.changed(),
    };
  },
};
