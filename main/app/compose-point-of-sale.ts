import type { Language } from '../api/contract.js';
import { cashupModule } from '../cashup/cashup-module.js';
import { CashupService } from '../cashup/cashup-service.js';
import { TillSessions } from '../cashup/till-sessions.js';
import { CheckoutCatalog } from '../checkout/checkout-catalog.js';
import { checkoutModule } from '../checkout/checkout-module.js';
import { CheckoutService } from '../checkout/checkout-service.js';
import { CurrentCart } from '../checkout/current-cart.js';
import { MemberDirectory } from '../checkout/members.js';
import { ParkedCarts } from '../checkout/parked-carts.js';
import { PaymentIntents } from '../checkout/payment-intents.js';
import { PaymentRecovery } from '../checkout/payment-recovery.js';
import { PaymentService } from '../checkout/payment-service.js';
import { sandboxPaymentProvider } from '../checkout/payments.js';
import { TillLease } from '../checkout/till-lease.js';
import type { PaymentProvider } from '../checkout/payments.js';
import { PromotionBook } from '../checkout/promotions.js';
import { RedemptionRules } from '../checkout/redemptions.js';
import type { RedemptionHolds } from '../checkout/redemptions.js';
import { deviceShortCode } from '../checkout/receipt-number.js';
import { saleReceipts } from '../checkout/sale-receipt.js';
import { SalesReader } from '../checkout/sales-reader.js';
import { salesModule } from '../checkout/sales-module.js';
import { SalesService } from '../checkout/sales-service.js';
import { PhoneLookupLimit } from '../core/phone-lookup-limit.js';
import type { TerminalContext } from '../core/context.js';
import { noPeripherals } from '../core/peripherals.js';
import type { Peripherals } from '../core/peripherals.js';
import { returnsModule } from '../returns/returns-module.js';
import { ReturnsService } from '../returns/returns-service.js';
import { staffModule } from '../staff/staff-module.js';
import { StaffService } from '../staff/staff-service.js';

export type PointOfSaleOptions = {
  /** The printer and drawer (default: none attached). */
  peripherals?: Peripherals;
  /** The mobile payment gateway (default: the sandbox). */
  payments?: PaymentProvider;
  /** Whether HQ and the gateway can be reached (default: offline). */
  isOnline?: () => boolean;
  /** The UI language receipts and reports are printed in. */
  language?: () => Language;
  /** HQ's holds on coupons and points (an enrolled device); without it, only the store's offline policy applies. */
  holds?: RedemptionHolds;
  /** How long the drawer has to confirm a cash movement's kick (ms; default 10 s). */
  drawerAnswerMs?: number;
};

/**
 * The till's services over one context — staff sessions, the cart and its payment, returns, the
 * sales history and cash-up — each given the narrow things it uses, and their guarded modules.
 */
export function composePointOfSale(ctx: TerminalContext, options: PointOfSaleOptions = {}) {
  const peripherals = options.peripherals ?? noPeripherals;
  const language = options.language ?? (() => 'zh-CN' as const);
  const isOnline = options.isOnline ?? (() => false);
  const staff = new StaffService(ctx);
  const tills = new TillSessions(ctx.db);
  const promotions = new PromotionBook(ctx.db);
  const members = new MemberDirectory(ctx.db, promotions);
  const catalog = new CheckoutCatalog(ctx.db);
  const sales = new SalesReader(ctx.db);
  const deviceCode = deviceShortCode(ctx.db, ctx.deviceId);
  const receipt = saleReceipts({ language, store: ctx.store, deviceCode, members, clock: ctx.clock });
  const redemptions = new RedemptionRules(ctx.db, ctx.storeId, options.holds ?? null, isOnline);
  const cart = new CurrentCart({
    promotions,
    members,
    isOnline,
    events: ctx.events,
    clock: ctx.clock,
    newId: ctx.newId,
    onReset: (cartId) => redemptions.release(cartId),
  });
  const checkout = new CheckoutService({
    cart,
    catalog,
    promotions,
    members,
    phoneLookups: new PhoneLookupLimit(ctx.db),
    parked: new ParkedCarts(ctx.db),
    approvals: staff,
    clock: ctx.clock,
    newId: ctx.newId,
  });
  const payments = options.payments ?? sandboxPaymentProvider();
  // This till instance: the owner of the payment intents it writes, on a store file other tills may share.
  const lease = new TillLease(ctx.db, ctx.clock, ctx.newId, ctx.log);
  const intents = new PaymentIntents(ctx.db, ctx.clock, lease.id);
  const recovery = new PaymentRecovery({
    intents,
    payments,
    outbox: ctx.outbox,
    isOnline,
    inCart: (id) => cart.tenders.some((t) => t.requestId === id),
    paying: () => cart.paying,
    lease,
    log: ctx.log,
  });
  const payment = new PaymentService({
    ctx,
    cart,
    checkout,
    members,
    approvals: staff,
    payments,
    isOnline,
    tills,
    sales,
    receipt,
    peripherals,
    deviceCode,
    redemptions,
    intents,
    recovery,
  });
  const returns = new ReturnsService({ cart, sales, catalog, approvals: staff, intents, newId: ctx.newId });
  const history = new SalesService({ sales, tills, receipt, peripherals });
  const cashup = new CashupService({
    ctx,
    tills,
    peripherals,
    language,
    deviceCode,
    salePaying: () => cart.beingPaid,
    ...(options.drawerAnswerMs !== undefined ? { drawerAnswerMs: options.drawerAnswerMs } : {}),
    unrecordedRefunds: () =>
      intents
        .unsettled()
        .filter((i) => i.kind === 'refund')
        .map((i) => ({ receiptNo: i.detail?.receiptNo ?? '?', method: i.method, amountFen: i.amountFen })),
  });
  return {
    staff,
    tills,
    promotions,
    cart,
    checkout,
    payment,
    /** This till instance's lease: start() its heartbeat on a running terminal, release() it as the terminal closes. */
    lease,
    /** Reverses charges left without a cart (start it on a running terminal; tests run it). */
    recovery,
    returns,
    cashup,
    modules: {
      staff: staffModule(staff),
      checkout: checkoutModule(cart, checkout, payment),
      returns: returnsModule(cart, returns),
      sales: salesModule(history),
      cashup: cashupModule(cashup),
    },
  };
}

export type PointOfSale = ReturnType<typeof composePointOfSale>;
