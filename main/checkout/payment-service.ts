import { createHash } from 'node:crypto';
import type { CartState, ParsedInput, SaleKind, SaleResult, SaleView, StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { attempt, drawerOutcome } from '../core/peripherals.js';
import type { Peripherals } from '../core/peripherals.js';
import type { TillSessions } from '../cashup/till-sessions.js';
import { requireCapability } from '../staff/permissions.js';
import type { Approvals } from '../staff/staff-service.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { yuan } from '../../sync/protocol/money.js';
import type { CheckoutService } from './checkout-service.js';
import type { CurrentCart } from './current-cart.js';
import type { MemberDirectory } from './members.js';
import type { PlannedRefund, ReturnState, TenderRecord } from './cart.js';
import type { PaymentIntents } from './payment-intents.js';
import type { PaymentRecovery } from './payment-recovery.js';
import { classifyPaymentCode, isMobile, MOBILE_NAMES } from './payments.js';
import type { ChargeResult, PaymentProvider } from './payments.js';
import type { RedemptionRules } from './redemptions.js';
import { commitSale } from './sale-commit.js';
import { returnMoneyChanged } from './return-money.js';
import type { RefundTender } from './sale-commit.js';
import { storeLocalDate } from '../cashup/business-day.js';
import type { SalesReader } from './sales-reader.js';

const REFUND_OFFLINE = 'Refunds to WeChat Pay, Alipay or UnionPay need the network';
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
  /** Every gateway call is written down before it is made (main/checkout/payment-intents.ts). */
  intents: PaymentIntents;
  /** Reverses a charge whose answer never came. */
  recovery: Pick<PaymentRecovery, 'reverse' | 'start'>;
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

  complete(staff: StaffView, input: ParsedInput<'checkout', 'complete'>): Promise<SaleResult> {
    return this.deps.cart.exclusive(() => this.commit(staff, input));
  }

  private async take(input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
    // What is due is priced now, and stays so while the customer pays (a promotion may start or end meanwhile).
    this.deps.cart.holdPrices();
    try {
      return await this.takeAtFixedPrices(input);
    } finally {
      this.deps.cart.releasePrices();
    }
  }

  private async takeAtFixedPrices(input: ParsedInput<'checkout', 'addTender'>): Promise<CartState> {
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
      if (!method) throw new AppError('BAD_INPUT', 'That is not a WeChat Pay, Alipay or UnionPay payment code');
      const amountFen = input.amountFen ?? due;
      if (amountFen > due) throw new AppError('BAD_INPUT', `Only ${yuan(due)} is due`);
      if (!this.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: mobile payment codes cannot be charged now');
      const { intents } = this.deps;
      const intent = intents.begin({ id: tenderId, cartId: cart.data.id, kind: 'charge', method, amountFen });
      let result: ChargeResult;
      try {
        result = await this.deps.payments.charge({ method, code: input.code, amountFen, requestId: tenderId });
      } catch (error) {
        // No answer: the customer's money may or may not have moved. Cancel the charge now (or as soon as the gateway answers).
        const reversed = await this.deps.recovery.reverse(intent, `the gateway did not answer the charge (${errorText(error)})`);
        // Not cancelled yet: recovery tries again until the gateway answers (it only runs while charges are left).
        if (!reversed) this.deps.recovery.start();
        throw new AppError(
          'PAYMENT_DECLINED',
          reversed
            ? 'The payment gateway did not answer: the payment was cancelled. Scan the code again.'
            : 'The payment gateway did not answer: the payment will be cancelled as soon as it answers. Take another payment.',
        );
      }
      if (!result.ok) {
        intents.mark(tenderId, 'failed');
        throw new AppError('PAYMENT_DECLINED', `${MOBILE_NAMES[method]} declined: ${result.reason}`);
      }
      if (!intents.mark(tenderId, 'paid', result.providerRef)) {
        // This till was taken for dead while it waited (till-lease.ts), and the charge given back.
        throw new AppError(
          'PAYMENT_DECLINED',
          `The ${MOBILE_NAMES[method]} payment was cancelled at the gateway (the customer has it back): scan the code again`,
        );
      }
      cart.addTender({ tenderId, method, amountFen, reference: result.providerRef, providerRef: result.providerRef, requestId: tenderId });
    }
    return cart.changed();
  }

  private async void(tenderId: string, approvalToken: string | undefined): Promise<CartState> {
    const { cart } = this.deps;
    const tender = cart.tenders.find((t) => t.tenderId === tenderId);
    if (!tender) throw new AppError('NOT_FOUND', `No payment ${tenderId} in the cart`);
    // Given back by another till's recovery (or being given back: it took this till for dead): the
    // customer has that money back, and a refund would be a second give-back of one payment.
    const intent = tender.requestId ? this.deps.intents.get(tender.requestId) : undefined;
    const givenBack = intent !== undefined && (intent.state === 'reversed' || this.deps.intents.takenOver(intent));
    if (isMobile(tender.method) && !givenBack) {
      this.deps.approvals.authorize('void_tender', approvalToken);
      if (!this.deps.isOnline())
        throw new AppError('PAYMENT_OFFLINE', 'The terminal is offline: the mobile payment cannot be refunded now');
      // Until the gateway answers, the payment may or may not be back with the customer: the cart
      // cannot be completed with it, and voiding it again asks under the same key (never twice).
      // A key the gateway refused would be refused again forever: after a refusal, a new key.
      tender.voidAsked = true;
      const refused = tender.voidsRefused ?? 0;
      let r: ChargeResult;
      try {
        r = await this.deps.payments.refund({
          method: tender.method,
          providerRef: tender.providerRef ?? '',
          amountFen: tender.amountFen,
          requestId: refused > 0 ? `${tenderId}-void-${refused}` : `${tenderId}-void`,
        });
      } catch (error) {
        throw new AppError(
          'PAYMENT_DECLINED',
          `The payment gateway did not answer the refund (${errorText(error)}): void the payment again; it is never refunded twice`,
        );
      }
      if (!r.ok) {
        delete tender.voidAsked;
        tender.voidsRefused = refused + 1;
        throw new AppError('PAYMENT_DECLINED', `The refund was refused: ${r.reason}`);
      }
      this.deps.intents.mark(tenderId, 'voided');
    }
    cart.removeTender(tenderId);
    return cart.changed();
  }

  /**
   * A mobile payment in the cart that payment recovery gave back: another till took this one for
   * dead (it did not renew its lease for longer than a lease, till-lease.ts) and reversed the charge
   * — or took it over and is reversing it now: the gateway may pay it back any moment, so a sale
   * recorded with it would be goods the customer keeps for money they get back.
   */
  private cancelledCharge(): TenderRecord | undefined {
    const { intents } = this.deps;
    return this.deps.cart.tenders.find((t) => {
      const intent = t.requestId ? intents.get(t.requestId) : undefined;
      return intent !== undefined && (intent.state === 'reversed' || intents.takenOver(intent));
    });
  }

  /** The customer has that money back: the payment leaves the cart, and is taken again before the sale completes. */
  private dropCancelledCharge(): void {
    const cancelled = this.cancelledCharge();
    if (!cancelled) return;
    this.deps.cart.removeTender(cancelled.tenderId);
    this.deps.cart.changed();
    const name = isMobile(cancelled.method) ? MOBILE_NAMES[cancelled.method] : cancelled.method;
    throw new AppError(
      'CONFLICT',
      `The ${yuan(cancelled.amountFen)} ${name} payment was cancelled at the gateway (the customer has it back, or will shortly): take the payment again`,
    );
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

  /**
   * Pays a refund back over the payments it came from. Cash and card refunds are handed over at
   * the till (card on the card terminal); WeChat Pay / Alipay / UnionPay refunds go through the gateway, each
   * written down first under a key that is the same however often the cashier retries (the
   * return's lines, how much of them was returned before, the payment it goes back to, the refusals
   * before it: a refused one is asked again under a new key), and once one is asked the cart is fixed. `cashInstead` (a manager approved): all of it in cash, noted.
   */
  private async payBack(
    plan: PlannedRefund[],
    input: ParsedInput<'checkout', 'complete'>,
    online: boolean,
  ): Promise<{ refunds: RefundTender[]; intents: string[] }> {
    const { cart: current } = this.deps;
    if (input.cashInstead) {
      if (!plan.some((r) => r.method !== 'cash')) throw new AppError('BAD_INPUT', 'This refund is paid in cash already');
      // A refund the gateway paid stays paid (the customer has that money back): cash instead is only for the rest.
      // One asked whose answer never came may have been paid: it must be asked again, never paid a second time in cash.
      const ret = current.data.ret;
      const prior = plan.map((r) =>
        isMobile(r.method) && ret?.saleId ? this.deps.intents.get(this.refundId(current.data.id, ret, r)) : undefined,
      );
      if (prior.some((i) => i?.state === 'pending')) {
        throw new AppError('CONFLICT', 'The gateway has not answered about a refund it was asked: complete again (it is never paid twice)');
      }
      this.deps.approvals.authorize('cash_refund', input.approvalToken);
      const refunds: RefundTender[] = [];
      const intents: string[] = [];
      plan.forEach((r, k) => {
        const paid = prior[k];
        if (r.method === 'cash') refunds.push(r);
        else if (paid?.state === 'paid') {
          refunds.push({ method: r.method, amountFen: r.amountFen, reference: paid.providerRef ?? undefined });
          intents.push(paid.id);
        } else refunds.push({ method: 'cash', amountFen: r.amountFen, insteadOf: r.method });
      });
      return { refunds, intents };
    }
    const refunds: RefundTender[] = [];
    const intents: string[] = [];
    for (const r of plan) {
      if (!isMobile(r.method)) {
        refunds.push(r);
        continue;
      }
      const cart = current.data;
      const ret = cart.ret;
      if (!ret?.saleId || !ret.receiptNo) throw new AppError('CONFLICT', 'A refund to a mobile payment needs the original receipt');
      const id = this.refundId(cart.id, ret, r);
      // Offline, a refund the gateway was never asked is not written down: nothing may have moved,
      // and the cashier may pay it in cash instead (one asked before, unanswered, may have been paid).
      if (!online && !this.deps.intents.get(id)) throw new AppError('PAYMENT_OFFLINE', REFUND_OFFLINE);
      const intent = this.deps.intents.begin({
        id,
        cartId: cart.id,
        kind: 'refund',
        method: r.method,
        amountFen: r.amountFen,
        originalRef: r.reference ?? null,
        detail: { saleId: ret.saleId, receiptNo: ret.receiptNo, cart: { ...cart, refundPaid: true } },
      });
      intents.push(id);
      if (intent.state === 'settled') throw new AppError('CONFLICT', `This refund is recorded in a sale already (${id})`);
      if (intent.state === 'paid') {
        refunds.push({ method: r.method, amountFen: r.amountFen, reference: intent.providerRef ?? undefined });
        continue;
      }
      if (!online) throw new AppError('PAYMENT_OFFLINE', REFUND_OFFLINE);
      current.markRefundPaid();
      let res: ChargeResult;
      try {
        res = await this.deps.payments.refund({ method: r.method, providerRef: r.reference ?? '', amountFen: r.amountFen, requestId: id });
      } catch (error) {
        throw new AppError(
          'PAYMENT_OFFLINE',
          `The gateway did not answer about the refund (${errorText(error)}): complete again — it is never paid twice`,
        );
      }
      if (!res.ok) {
        this.deps.intents.mark(id, 'failed');
        if (!intents.some((i) => this.deps.intents.get(i)?.state === 'paid')) current.data.refundPaid = false;
        throw new AppError('PAYMENT_DECLINED', `The refund was refused: ${res.reason}. A manager can approve paying it in cash instead.`);
      }
      this.deps.intents.mark(id, 'paid', res.providerRef);
      refunds.push({ method: r.method, amountFen: r.amountFen, reference: res.providerRef });
    }
    return { refunds, intents };
  }

  /**
   * The key of a refund to payment `r`: the one this cart asked already, if it did (a return finished
   * after a restart is the same cart) — the key counts the units returned from the receipt before,
   * which another till on this store file may have changed since, and a new key is a new refund.
   * A key the gateway refused is never asked again: a gateway answers a key it has seen with its first
   * answer (WeChat Pay's out_refund_no, Alipay's out_request_no), so that refusal would stand for good.
   * The next attempt is the first key of the chain not refused. One asked and not answered (pending)
   * keeps its key however often it is asked: it may have been paid.
   */
  private refundId(cartId: string, ret: ReturnState, r: PlannedRefund): string {
    const asked = ret.saleId
      ? this.deps.intents
          .openRefunds(ret.saleId)
          .find((i) => i.cartId === cartId && i.method === r.method && (i.originalRef ?? null) === (r.reference ?? null))
      : undefined;
    if (asked) return asked.id;
    // Each key of the chain is looked up by its id; the chain is as long as the refusals of this refund.
    for (let refused = 0; ; refused++) {
      const id = this.refundKey(cartId, ret, r, refused);
      if (this.deps.intents.get(id)?.state !== 'failed') return id;
    }
  }

  /**
   * The gateway's idempotency key of a refund: the same cart's return of the same units to the same
   * payment, after as many refusals, is the same key. The cart is in it: two tills returning a unit
   * each of one line (both before either is recorded) would otherwise share a key, and the second
   * would be answered with the first one's refund — recorded as paid while its customer got nothing.
   * A cart keeps its id across a restart (its paid or pending refund brings it back), so asking again
   * still finds its key. `refused`: the attempts of this refund the gateway refused before (none:
   * the key as it always was).
   */
  private refundKey(cartId: string, ret: ReturnState, r: PlannedRefund, refused: number): string {
    const sold = ret.receiptNo ? this.deps.sales.find(ret.receiptNo).lines : [];
    const lines = ret.lines
      .map((l) => [l.saleLineId ?? l.lineId, l.qty, sold.find((s) => s.saleLineId === l.saleLineId)?.returnedQty ?? 0])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const parts: unknown[] = [cartId, ret.saleId, lines, r.method, r.reference ?? ''];
    if (refused > 0) parts.push(refused);
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
    return `rf-${digest.slice(0, 40)}`;
  }

  /**
   * 1 point per whole yuan the new items cost, less the points the returned units take back: of the
   * points the receipt's sold lines earned, their cumulative share by value (as unitsShare does for money), so a sale
   * returned in parts gives back exactly what it earned — a whole-yuan rounding per return would
   * leave the member a point for each return whose fen did not add up to a yuan. Lines returned
   * without a receipt take back a point per whole yuan of their refund.
   */
  private pointsEarned(ret: ReturnState | null, state: CartState): number {
    const lines = ret?.lines ?? [];
    const noReceiptFen = lines.reduce((a, l) => a + (l.saleLineId === null ? l.refundFen : 0), 0);
    let takenBack = 0;
    if (ret?.receiptNo) {
      const sale = this.deps.sales.find(ret.receiptNo);
      // What the receipt's sold lines earned: for an exchange, its new items' points, not its net
      // (the rest of them stood in for the points its returned items took back).
      const earned = sale.member ? Math.trunc(Math.max(0, sale.totals.totalFen) / 100) : 0;
      const paidFen = sale.totals.totalFen;
      const beforeFen = sale.lines.reduce((a, l) => a + (l.qty > 0 ? l.returnedFen : 0), 0);
      const nowFen = lines.reduce((a, l) => a + (l.saleLineId !== null ? l.refundFen : 0), 0);
      const upTo = (fen: number) => (paidFen > 0 ? Number((BigInt(earned) * BigInt(Math.min(fen, paidFen))) / BigInt(paidFen)) : 0);
      takenBack = upTo(beforeFen + nowFen) - upTo(beforeFen);
    }
    return Math.trunc(state.totals.totalFen / 100) - takenBack - Math.trunc(noReceiptFen / 100);
  }

  private async commit(staff: StaffView, input: ParsedInput<'checkout', 'complete'>): Promise<SaleResult> {
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
    const voiding = current.tenders.find((t) => t.voidAsked);
    if (voiding) {
      throw new AppError(
        'CONFLICT',
        `The gateway has not said whether the ${yuan(voiding.amountFen)} ${voiding.method} payment was refunded: void it again first`,
      );
    }
    this.dropCancelledCharge();
    for (const c of state.coupons) if (c.active && c.discountFen > 0) this.deps.checkout.checkCoupon(c.code);
    this.assertPointsUsable(state);
    if (state.points && cart.memberId) {
      const fresh = this.deps.members.view(cart.memberId, ctx.clock());
      if (!fresh || fresh.points < state.points.redeemed)
        throw new AppError('POINTS_INSUFFICIENT', 'The member no longer has those points');
    }
    // Another till on this store file may have returned from the receipt since this return was
    // planned: its refunds are gone from the payments, so the plan is made again and shown first.
    const stale = cart.refundPaid ? null : returnMoneyChanged(cart.ret, cart.refundSources, this.deps.sales);
    if (stale && cart.ret) {
      current.startReturn({ ...cart.ret, lines: stale.lines }, stale.sources);
      current.changed();
      throw new AppError('CONFLICT', 'Another till returned from this receipt meanwhile: check the refund and complete again');
    }
    const online = this.deps.isOnline();
    const redemption = await this.secureRedemptions(state);
    const saleId = ctx.newId();
    const { refunds, intents } = await this.payBack(
      state.totals.netFen < 0 ? current.refundPlan(-state.totals.netFen, state.totals.totalFen) : [],
      input,
      online,
    );
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
      // The mobile charges and refunds this sale records: settled with it.
      intents: [...cart.tenders.filter((t) => t.requestId).map((t) => t.requestId!), ...intents],
      points: state.points ? { redeemed: state.points.redeemed, valueFen: state.points.valueFen } : null,
      // 1 point per whole yuan paid; a refund takes its points back. HQ's rule decides in the end.
      pointsEarned: cart.memberId ? this.pointsEarned(cart.ret, state) : 0,
      offline: !online || redemption.offline,
      createdAt: ctx.clock().toISOString(),
      // Again inside the commit's transaction: another till may commit while this one waits on the
      // gateway. A refund the gateway has paid is recorded as it was paid (HQ lists any excess).
      check: () => {
        if (this.cancelledCharge()) throw new AppError('CONFLICT', 'A payment in the cart was cancelled at the gateway: complete again');
        if (!cart.refundPaid && returnMoneyChanged(cart.ret, cart.refundSources, this.deps.sales)) {
          throw new AppError('CONFLICT', 'Another till returned from this receipt meanwhile: start the return again');
        }
      },
    });
    // Before the reset below: the hold now goes with the sale, and the reset must not release it.
    this.deps.redemptions.forget(cart.id);
    ctx.announceSync();
    const sale = this.deps.sales.find(receiptNo);
    ctx.events.emit('sale.completed', sale);
    current.reset();
    const cashMoved = sale.tenders.some((t) => t.method === 'cash');
    const drawer = cashMoved
      ? await attempt((deadline) => this.deps.peripherals.openDrawer({ kind: 'cash_sale', staffId: staff.id, note: receiptNo }, deadline))
      : null;
    const receipt = await attempt(() => this.deps.peripherals.printReceipt(this.deps.receipt(sale, false)));
    return {
      sale,
      receipt: receipt.error ? { sent: false, error: receipt.error } : { sent: true },
      drawer: drawer ? drawerOutcome(drawer) : null,
      cart: current.changed(),
    };
  }
}
