import type { CartState, MemberView, ReturnLine } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { EventBus } from '../api/event-bus.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import { emptyCart, planRefunds, receiptRefundFen, renderCart } from './cart.js';
import type { CartData, PlannedRefund, Rendered, ReturnState, TenderRecord } from './cart.js';
import type { MemberDirectory } from './members.js';
import type { PromotionBook } from './promotions.js';

export type CurrentCartDeps = {
  promotions: PromotionBook;
  members: MemberDirectory;
  /** Whether HQ and the payment gateway can be reached. */
  isOnline: () => boolean;
  events: EventBus;
  clock: () => Date;
  newId: IdGenerator;
  /**
   * Called on every reset with the cart that is gone (cleared, parked or sold): its holds at HQ are
   * released. After a sale the hold must outlive the cart until HQ has the sale, so the sale path
   * hands it over (RedemptionRules.forget) before it resets.
   */
  onReset?: (cartId: string) => void;
};

/**
 * The one cart on the till (in memory; parked carts live in the store), shared by the services
 * that work on it: checkout edits its items, member, coupons and points; payment adds tenders and
 * commits it; returns add returned lines. Each goes through the operations here, and every
 * change is rendered by the one pricing engine and pushed to every screen.
 */
export class CurrentCart {
  private cart: CartData;
  private member: MemberView | null = null;
  private busy = false;

  constructor(private readonly deps: CurrentCartDeps) {
    this.cart = emptyCart(deps.newId());
  }

  /** The cart's own facts (items, member, coupons, points, tenders, return); everything else is rendered. */
  get data(): CartData {
    return this.cart;
  }

  get memberView(): MemberView | null {
    return this.member;
  }

  render(): Rendered {
    const now = this.deps.clock();
    const pointsValueFen = this.cart.points > 0 ? (this.deps.members.pointsValueFen(this.cart.points) ?? 0) : 0;
    const offline = !this.deps.isOnline();
    return renderCart(this.cart, {
      promotions: this.deps.promotions.promotions(this.cart.pricedAt ? new Date(this.cart.pricedAt) : now),
      member: this.member,
      pointsValueFen,
      offline,
      couponOffline: offline,
      now: now.toISOString(),
    });
  }

  state(): CartState {
    return this.render().state;
  }

  /** Pushes the new cart to every screen and answers with it. */
  changed(): CartState {
    const state = this.render().state;
    this.deps.events.emit('cart.changed', state);
    return state;
  }

  /** Items, member, coupons and points are fixed once a payment is taken: remove the payments first. */
  assertEditable(): void {
    if (this.busy) throw new AppError('CONFLICT', 'A payment is in progress: wait for it to finish');
    if (this.cart.refundPaid) throw new AppError('CONFLICT', 'The refund has been paid back: complete this return as it is');
    if (this.cart.tenders.length > 0)
      throw new AppError('CONFLICT', 'A payment has been taken: remove the payments before changing the cart');
  }

  /** A handler that changes what is in the cart: refused (CONFLICT) while payments are taken. */
  editing<I, C, O>(run: (input: I, caller: C) => O): (input: I, caller: C) => O {
    return (input, caller) => {
      this.assertEditable();
      return run(input, caller);
    };
  }

  /** A fresh, empty cart (after a sale, a clear or a park). */
  reset(): void {
    const gone = this.cart.id;
    this.cart = emptyCart(this.deps.newId());
    this.member = null;
    this.deps.onReset?.(gone);
  }

  /** Replaces the cart with one brought back from the parked list. */
  restore(data: Pick<CartData, 'id' | 'items' | 'memberId' | 'coupons' | 'points'>): void {
    this.cart = { ...emptyCart(data.id), ...data };
    this.member = data.memberId ? (this.deps.members.view(data.memberId, this.deps.clock()) ?? null) : null;
  }

  /** Brings back the cart of a return whose refund was paid before a restart (main/checkout/payment-intents.ts). */
  resumePaidReturn(data: CartData): void {
    this.restore(data);
    this.cart = { ...data, refundPaid: true };
  }

  /** A gateway refund for this cart has been asked: the cart is fixed from now on. */
  markRefundPaid(): void {
    this.cart.refundPaid = true;
  }

  /** The member the cart is for (null: none); the view is read fresh. */
  setMember(memberId: string | null): void {
    this.cart.memberId = memberId;
    this.member = memberId ? (this.deps.members.view(memberId, this.deps.clock()) ?? null) : null;
  }

  /** Keeps a member view already read (its balance was just checked). */
  refreshMember(view: MemberView): void {
    this.member = view;
  }

  // ── Payments ─────────────────────────────────────────────────────────────

  /** Tenders kept with their provider references. */
  get tenders(): readonly TenderRecord[] {
    return this.cart.tenders;
  }

  addTender(tender: TenderRecord): void {
    this.cart.tenders.push(tender);
  }

  removeTender(tenderId: string): void {
    this.cart.tenders = this.cart.tenders.filter((t) => t.tenderId !== tenderId);
    this.releasePrices();
  }

  /** The prices the first payment is taken at are the cart's until it is completed or its payments removed. */
  holdPrices(): void {
    this.cart.pricedAt ??= this.deps.clock().toISOString();
  }

  /** Lets the prices go again once the cart holds no payment (the last removed, or a payment step took none). */
  releasePrices(): void {
    if (this.cart.tenders.length === 0) delete this.cart.pricedAt;
  }

  /** A payment step (charge, refund, commit) is waiting on the gateway. */
  get paying(): boolean {
    return this.busy;
  }

  /** Payments taken or under way: the cart is being paid. */
  get beingPaid(): boolean {
    return this.busy || this.cart.tenders.length > 0;
  }

  /**
   * Payment steps wait on the gateway; a second tap (or a second screen) meanwhile must not charge
   * or commit the same cart twice, so they run one at a time and a concurrent one is refused.
   */
  async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new AppError('CONFLICT', 'A payment is in progress: wait for it to finish');
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }

  // ── Returns ──────────────────────────────────────────────────────────────

  /** Starts (or keeps) a return in the cart, with what each original tender can still take back. */
  startReturn(ret: ReturnState, refundSources: CartData['refundSources']): void {
    this.cart.ret = ret;
    this.cart.refundSources = refundSources;
  }

  setReturnLines(lines: ReturnLine[]): void {
    if (!this.cart.ret) throw new AppError('CONFLICT', 'Start a return with the receipt first');
    this.cart.ret.lines = lines;
  }

  cancelReturn(): void {
    this.cart.ret = null;
    this.cart.refundSources = [];
  }

  /**
   * How a refund of `amountFen` goes back over the payments it came from, one entry per payment;
   * `newItemsFen`: what the cart's new items cost (an exchange pays them with the returned value).
   */
  refundPlan(amountFen: number, newItemsFen: number): PlannedRefund[] {
    return planRefunds(amountFen, this.cart.refundSources, receiptRefundFen(this.cart.ret, newItemsFen));
  }
}
