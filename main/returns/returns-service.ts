import type { CartState, SaleView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { CheckoutCatalog } from '../checkout/checkout-catalog.js';
import type { CurrentCart } from '../checkout/current-cart.js';
import type { PaymentIntents } from '../checkout/payment-intents.js';
import { fundingLeft } from '../../sync/protocol/refund-sources.js';
import { unitsShare } from '../checkout/money.js';
import type { SalesReader } from '../checkout/sales-reader.js';
import type { Approvals } from '../staff/staff-service.js';

export type ReturnsDeps = {
  cart: CurrentCart;
  sales: SalesReader;
  catalog: CheckoutCatalog;
  approvals: Approvals;
  /** Refunds paid before a restart whose return is still to be recorded. */
  intents: PaymentIntents;
  newId: () => string;
};

/**
 * Returns and exchanges ride on the cart: returned lines are negative, new items positive, and
 * one commit writes both (an exchange is a return and a sale in one transaction). A line refunds
 * exactly what was paid for those units (its allocated discounts included), back to the payments
 * it came from — across exchanges (sync/protocol/refund-sources.ts); a no-receipt return refunds
 * today's price in cash and needs a manager.
 */
export class ReturnsService {
  constructor(private readonly deps: ReturnsDeps) {}

  find(receiptNo: string): SaleView {
    return this.deps.sales.find(receiptNo);
  }

  start(receiptNo: string): CartState {
    const { cart } = this.deps;
    const sale = this.deps.sales.find(receiptNo);
    if (sale.lines.every((l) => l.qty <= 0)) throw new AppError('CONFLICT', `${sale.receiptNo} has nothing sold to return`);
    const ret = cart.data.ret;
    if (ret?.saleId && ret.saleId !== sale.saleId) {
      throw new AppError('CONFLICT', `A return of ${ret.receiptNo} is in progress: finish or cancel it first`);
    }
    if (ret?.saleId === sale.saleId) return cart.changed();
    // A refund paid for this receipt before the terminal restarted: the money is back with the
    // customer, so that return comes back exactly as it was, to be completed (and nothing else).
    const paid = this.deps.intents.openRefunds(sale.saleId)[0]?.detail;
    if (paid) {
      if (cart.data.items.length > 0 || ret) {
        throw new AppError(
          'CONFLICT',
          `A refund for ${sale.receiptNo} was paid before the terminal restarted: clear the cart to finish that return`,
        );
      }
      cart.resumePaidReturn(paid.cart);
      return cart.changed();
    }
    // The points a return takes back are the receipt's member's: the cart is theirs (or no one's).
    const member = sale.member?.id ?? null;
    if (cart.data.memberId !== null && cart.data.memberId !== member) {
      throw new AppError(
        'CONFLICT',
        member
          ? `${sale.receiptNo} was sold to another member: remove the cart's member to return it`
          : `${sale.receiptNo} was sold to no member: remove the cart's member to return it`,
      );
    }
    cart.startReturn(
      { receiptNo: sale.receiptNo, saleId: sale.saleId, lines: ret?.lines ?? [], memberId: member },
      fundingLeft(sale.saleId, this.deps.sales),
    );
    if (member) cart.setMember(member);
    return cart.changed();
  }

  setQty(saleLineId: string, qty: number): CartState {
    const { cart } = this.deps;
    const ret = cart.data.ret;
    if (!ret?.saleId || !ret.receiptNo) throw new AppError('CONFLICT', 'Start a return with the receipt first');
    const sale = this.deps.sales.find(ret.receiptNo);
    const line = sale.lines.find((l) => l.saleLineId === saleLineId && l.qty > 0);
    if (!line) throw new AppError('NOT_FOUND', `No line ${saleLineId} on ${sale.receiptNo}`);
    const left = line.qty - line.returnedQty;
    if (qty > left) throw new AppError('RETURN_EXCEEDS_SALE', `Only ${left} of ${line.sku} are left to return on ${sale.receiptNo}`);
    const others = ret.lines.filter((l) => l.saleLineId !== saleLineId);
    if (qty === 0) {
      cart.setReturnLines(others);
      return cart.changed();
    }
    const refundFen = unitsShare(line.totalFen, line.qty, line.returnedQty, qty);
    const existing = ret.lines.find((l) => l.saleLineId === saleLineId);
    const returnLine = {
      lineId: existing?.lineId ?? this.deps.newId(),
      saleLineId,
      sku: line.sku,
      name: line.name,
      colour: line.colour,
      size: line.size,
      qty,
      unitPaidFen: Math.round(line.totalFen / line.qty),
      refundFen,
    };
    const order = (id: string | null) => sale.lines.findIndex((l) => l.saleLineId === id);
    cart.setReturnLines([...others, returnLine].sort((a, b) => order(a.saleLineId) - order(b.saleLineId)));
    return cart.changed();
  }

  noReceipt(skuCode: string, qty: number, approvalToken: string | undefined): CartState {
    const { cart, catalog } = this.deps;
    const sku = catalog.sku(skuCode) ?? (/^\d{8,14}$/.test(skuCode) ? catalog.ean(skuCode.padStart(13, '0')) : undefined);
    if (!sku) throw new AppError('NOT_FOUND', `SKU ${skuCode} is not in the catalog`);
    // After the lookup: a mistyped SKU must not use up the manager's approval.
    this.deps.approvals.authorize('no_receipt_return', approvalToken);
    const ret = cart.data.ret ?? { receiptNo: null, saleId: null, lines: [] };
    if (!cart.data.ret) cart.startReturn(ret, cart.data.refundSources);
    cart.setReturnLines([
      ...ret.lines,
      {
        lineId: this.deps.newId(),
        saleLineId: null,
        sku: sku.sku,
        name: sku.name,
        colour: sku.colour,
        size: sku.size,
        qty,
        unitPaidFen: sku.priceFen,
        refundFen: qty * sku.priceFen,
      },
    ]);
    return cart.changed();
  }

  cancel(): CartState {
    this.deps.cart.cancelReturn();
    return this.deps.cart.changed();
  }
}
