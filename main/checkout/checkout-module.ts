import type { DomainModule, TerminalContext } from '../app/context.js';
import { CashupService } from '../cashup/cashup-service.js';
import { StaffService } from '../staff/staff-service.js';
import { CheckoutService } from './checkout-service.js';
import type { CheckoutDeps } from './checkout-service.js';
import { sandboxPaymentProvider } from './payments.js';
import { ReturnsService } from './returns.js';
import { noTillDevices } from './till-devices.js';

export type CheckoutOptions = Partial<Omit<CheckoutDeps, 'staff'>>;

export type CheckoutServices = { staff: StaffService; checkout: CheckoutService; returns: ReturnsService; cashup: CashupService };

/**
 * Builds the till's services over one context: staff sessions, the cart and its commit, returns
 * and cash-up. Peripherals, the payment gateway and the online flag are injected; the defaults
 * are "no printer/drawer attached", the sandbox gateway, and offline.
 */
export function createCheckout(ctx: TerminalContext, options: CheckoutOptions = {}): CheckoutServices {
  const staff = new StaffService(ctx);
  const checkout = new CheckoutService(ctx, {
    staff,
    devices: options.devices ?? noTillDevices,
    payments: options.payments ?? sandboxPaymentProvider(),
    isOnline: options.isOnline ?? (() => false),
    language: options.language ?? (() => 'zh-CN'),
  });
  return { staff, checkout, returns: new ReturnsService(checkout, ctx), cashup: new CashupService(ctx, checkout) };
}

export function staffModule(s: CheckoutServices): DomainModule<'staff'> {
  const { staff } = s;
  return {
    handlers: {
      login: ({ code, pin }) => staff.login(code, pin),
      logout: () => staff.logout(),
      session: () => staff.state(),
      lock: () => staff.lock(),
      unlock: ({ pin }) => staff.unlock(pin),
      approve: ({ managerCode, pin, action }) => staff.approve(managerCode, pin, action),
    },
  };
}

export function checkoutModule(s: CheckoutServices): DomainModule<'checkout'> {
  const c = s.checkout;
  return {
    handlers: {
      cart: () => c.state(),
      scan: ({ code }) => c.scan(code),
      addSku: ({ sku, qty }) => c.addSku(sku, qty),
      setQty: ({ lineId, qty }) => c.setQty(lineId, qty),
      removeLine: ({ lineId }) => c.removeLine(lineId),
      lineDiscount: (input) => c.lineDiscount(input),
      priceOverride: (input) => c.priceOverride(input),
      clear: () => c.clear(),
      park: ({ note }) => c.park(note),
      parked: () => c.parked(),
      resume: ({ parkedId }) => c.resume(parkedId),
      identifyMember: (key) => c.identifyMember(key),
      removeMember: () => c.removeMember(),
      applyCoupon: ({ code }) => c.applyCoupon(code),
      removeCoupon: ({ code }) => c.removeCoupon(code),
      redeemPoints: ({ points }) => c.redeemPoints(points),
      addTender: (input) => c.addTender(input),
      removeTender: ({ tenderId, approvalToken }) => c.removeTender(tenderId, approvalToken),
      complete: () => c.complete(),
    },
  };
}

export function returnsModule(s: CheckoutServices): DomainModule<'returns'> {
  const r = s.returns;
  return {
    handlers: {
      find: ({ receiptNo }) => r.find(receiptNo),
      start: ({ receiptNo }) => r.start(receiptNo),
      setQty: ({ saleLineId, qty }) => r.setQty(saleLineId, qty),
      noReceipt: ({ sku, qty, approvalToken }) => r.noReceipt(sku, qty, approvalToken),
      cancel: () => r.cancel(),
    },
  };
}

export function salesModule(s: CheckoutServices): DomainModule<'sales'> {
  const c = s.checkout;
  return {
    handlers: {
      today: () => c.today(),
      find: ({ receiptNo }) => c.find(receiptNo),
      byMember: ({ memberId }) => c.byMember(memberId),
      reprint: ({ receiptNo }) => c.reprint(receiptNo),
    },
  };
}

export function cashupModule(s: CheckoutServices): DomainModule<'cashup'> {
  const c = s.cashup;
  const staff = s.staff;
  return {
    handlers: {
      state: () => {
        staff.active();
        return c.state();
      },
      open: ({ floatFen }) => c.open(floatFen),
      paidIn: ({ amountFen, reason }) => c.paidIn(amountFen, reason),
      paidOut: (input) => c.paidOut(input),
      noSale: ({ reason, approvalToken }) => c.noSale(reason, approvalToken),
      xReport: ({ blind, print }) => c.xReport(blind, print),
      zReport: (input) => c.zReport(input),
    },
  };
}
