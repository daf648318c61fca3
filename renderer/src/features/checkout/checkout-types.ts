/**
 * The cart's and sales' types, named for the renderer. Derived through the contract door
 * (api/contract.ts), so the renderer sees main only through its calls' Input/Output and events.
 */
import type { Events, Input, Output } from '../../api/contract.js';

export type CartState = Events['cart.changed'];
export type CartLine = CartState['lines'][number];
export type CartTotals = CartState['totals'];
export type CartTender = CartState['tenders'][number];
export type AppliedCoupon = CartState['coupons'][number];
export type AppliedPromotion = CartState['promotions'][number];
export type MemberView = NonNullable<CartState['member']>;
export type MemberCoupon = MemberView['coupons'][number];
export type ReturnLine = NonNullable<CartState['return']>['lines'][number];
export type TenderMethod = CartTender['method'];
export type TenderInput = Input<'checkout', 'addTender'>;
export type DiscountInput = Input<'checkout', 'lineDiscount'>['discount'];
export type ScanOutcome = Output<'checkout', 'scan'>;
export type ParkedCart = Output<'checkout', 'parked'>[number];
export type SaleResult = Output<'checkout', 'complete'>;
export type SaleView = Events['sale.completed'];
export type SaleLineView = SaleView['lines'][number];
export type SaleSummary = Output<'sales', 'today'>[number];
