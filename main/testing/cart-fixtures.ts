import type { CartItem } from '../checkout/cart.js';
import type { Promotion } from '../checkout/pricing.js';

/** A promotion for tests: whole-cart percent-off at 0 % (it changes nothing) until `more` says otherwise. */
export function testPromotion(id: string, more: Partial<Promotion> = {}): Promotion {
  return {
    id,
    kind: 'percent_off',
    name: { zh: 'x', en: 'x' },
    scope: { kind: 'all' },
    percentBp: 0,
    priceFen: 0,
    thresholdFen: 0,
    offFen: 0,
    repeat: false,
    couponsAllowed: true,
    withItemPromotions: true,
    ...more,
  };
}

/** A cart line for tests: `qty` of SKU-<lineId> (a coat) at its list price, no override or manual discount. */
export function testCartItem(lineId: string, qty: number, listUnitFen: number, more: Partial<CartItem> = {}): CartItem {
  return {
    lineId,
    sku: `SKU-${lineId}`,
    ean: '6971111376183',
    styleCode: 'ST',
    category: 'Coat',
    name: { zh: 'x', en: 'x' },
    colour: { zh: 'x', en: 'x' },
    size: 'M',
    qty,
    listUnitFen,
    override: null,
    manual: null,
    discountApprovedBy: null,
    ...more,
  };
}
