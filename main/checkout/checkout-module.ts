import { role, session } from '../api/guards.js';
import type { DomainModule } from '../core/context.js';
import type { CheckoutService } from './checkout-service.js';
import type { CurrentCart } from './current-cart.js';
import type { PaymentService } from './payment-service.js';

/**
 * The till's cart. Building it needs `sell`, paying `tender`; completing it needs what the cart
 * holds (a sale `tender`, a return `returns`: checked by the payment service). `editing` handlers
 * refuse while payments are taken — items, member, coupons and points are fixed once money moved.
 */
export function checkoutModule(cart: CurrentCart, c: CheckoutService, pay: PaymentService): DomainModule<'checkout'> {
  return {
    handlers: {
      cart: session(() => cart.state()),
      scan: role('sell', ({ code }) => c.scan(code)),
      addSku: role('sell', ({ sku, qty }) => c.addSku(sku, qty)),
      setQty: role(
        'sell',
        cart.editing(({ lineId, qty }, { staff }) => c.setQty(staff, lineId, qty)),
      ),
      removeLine: role(
        'sell',
        cart.editing(({ lineId }) => c.removeLine(lineId)),
      ),
      lineDiscount: role(
        'sell',
        cart.editing((input, { staff }) => c.lineDiscount(staff, input)),
      ),
      priceOverride: role(
        'sell',
        cart.editing((input, { staff }) => c.priceOverride(staff, input)),
      ),
      clear: role('sell', () => c.clear()),
      park: role(
        'sell',
        cart.editing(({ note }, { staff }) => c.park(staff, note)),
      ),
      parked: role('sell', () => c.parked()),
      resume: role('sell', ({ parkedId }) => c.resume(parkedId)),
      identifyMember: role(
        'sell',
        cart.editing((key, { staff }) => c.identifyMember(key, staff.id)),
      ),
      removeMember: role(
        'sell',
        cart.editing(() => c.removeMember()),
      ),
      applyCoupon: role(
        'sell',
        cart.editing(({ code }) => c.applyCoupon(code)),
      ),
      removeCoupon: role(
        'sell',
        cart.editing(({ code }) => c.removeCoupon(code)),
      ),
      redeemPoints: role(
        'sell',
        cart.editing(({ points }) => c.redeemPoints(points)),
      ),
      addTender: role('tender', (input) => pay.addTender(input)),
      removeTender: role('tender', ({ tenderId, approvalToken }) => pay.removeTender(tenderId, approvalToken)),
      complete: session((input, { staff }) => pay.complete(staff, input)),
    },
  };
}
