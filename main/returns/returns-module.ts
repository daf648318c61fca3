import { role } from '../api/guards.js';
import type { CurrentCart } from '../checkout/current-cart.js';
import type { DomainModule } from '../core/context.js';
import type { ReturnsService } from './returns-service.js';

/** Returns need the `returns` capability; the cart is not changed once payments are taken. */
export function returnsModule(cart: CurrentCart, returns: ReturnsService): DomainModule<'returns'> {
  return {
    handlers: {
      find: role('returns', ({ receiptNo }) => returns.find(receiptNo)),
      start: role(
        'returns',
        cart.editing(({ receiptNo }) => returns.start(receiptNo)),
      ),
      setQty: role(
        'returns',
        cart.editing(({ saleLineId, qty }) => returns.setQty(saleLineId, qty)),
      ),
      // The approval is taken inside, after the SKU is found: a mistyped SKU keeps the manager's token.
      noReceipt: role(
        'returns',
        cart.editing(({ sku, qty, approvalToken }) => returns.noReceipt(sku, qty, approvalToken)),
      ),
      cancel: role(
        'returns',
        cart.editing(() => returns.cancel()),
      ),
    },
  };
}
