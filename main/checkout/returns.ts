import type { CartState, SaleView, TenderMethod } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../app/context.js';
import type { CheckoutService } from './checkout-service.js';
import { unitsShare } from './money.js';

/**
 * Returns and exchanges ride on the cart: returned lines are negative, new items positive, and
 * one commit writes both (an exchange is a return and a sale in one transaction). A line refunds
 * exactly what was paid for those units (its allocated discounts included), back to the original
 * tenders; a no-receipt return refunds today's price in cash and needs a manager.
 */
export class ReturnsService {
  constructor(
    private readonly till: CheckoutService,
    private readonly ctx: TerminalContext,
  ) {}

  find(receiptNo: string): SaleView {
    this.till.staff.require('returns');
    return this.till.sales.find(receiptNo);
  }

  start(receiptNo: string): CartState {
    this.till.staff.require('returns');
    this.till.editable();
    const sale = this.till.sales.find(receiptNo);
    if (sale.lines.every((l) => l.qty <= 0)) throw new AppError('CONFLICT', `${sale.receiptNo} has nothing sold to return`);
    const cart = this.till.data;
    if (cart.ret?.saleId && cart.ret.saleId !== sale.saleId)
      throw new AppError('CONFLICT', `A return of ${cart.ret.receiptNo} is in progress: finish or cancel it first`);
    if (cart.ret?.saleId === sale.saleId) return this.till.changed();
    cart.ret = { receiptNo: sale.receiptNo, saleId: sale.saleId, lines: cart.ret?.lines ?? [] };
    cart.refundSources = this.refundSources(sale);
    if (sale.member && !cart.memberId) {
      cart.memberId = sale.member.id;
      this.till.setMember(this.till.members.view(sale.member.id, this.ctx.clock()) ?? null);
    }
    return this.till.changed();
  }

  setQty(saleLineId: string, qty: number): CartState {
    this.till.staff.require('returns');
    this.till.editable();
    const cart = this.till.data;
    if (!cart.ret?.saleId || !cart.ret.receiptNo) throw new AppError('CONFLICT', 'Start a return with the receipt first');
    const sale = this.till.sales.find(cart.ret.receiptNo);
    const line = sale.lines.find((l) => l.saleLineId === saleLineId && l.qty > 0);
    if (!line) throw new AppError('NOT_FOUND', `No line ${saleLineId} on ${sale.receiptNo}`);
    const left = line.qty - line.returnedQty;
    if (qty > left) throw new AppError('RETURN_EXCEEDS_SALE', `Only ${left} of ${line.sku} are left to return on ${sale.receiptNo}`);
    const others = cart.ret.lines.filter((l) => l.saleLineId !== saleLineId);
    if (qty === 0) {
      cart.ret.lines = others;
      return this.till.changed();
    }
    const refundFen = unitsShare(line.totalFen, line.qty, line.returnedQty, qty);
    const existing = cart.ret.lines.find((l) => l.saleLineId === saleLineId);
    const returnLine = {
      lineId: existing?.lineId ?? this.ctx.newId(),
      saleLineId,
      sku: line.sku,
      name: line.name,
      colour: line.colour,
      size: line.size,
      qty,
      unitPaidFen: Math.round(line.totalFen / line.qty),
      refundFen,
    };
    cart.ret.lines = [...others, returnLine].sort(
      (a, b) => sale.lines.findIndex((l) => l.saleLineId === a.saleLineId) - sale.lines.findIndex((l) => l.saleLineId === b.saleLineId),
    );
    return this.till.changed();
  }

  noReceipt(skuCode: string, qty: number, approvalToken: string | undefined): CartState {
    this.till.staff.require('returns');
    this.till.editable();
    const sku =
      this.till.catalog.sku(skuCode) ?? (/^\d{8,14}$/.test(skuCode) ? this.till.catalog.ean(skuCode.padStart(13, '0')) : undefined);
    if (!sku) throw new AppError('NOT_FOUND', `SKU ${skuCode} is not in the catalog`);
    this.till.staff.authorize('no_receipt_return', approvalToken);
    const cart = this.till.data;
    cart.ret ??= { receiptNo: null, saleId: null, lines: [] };
    cart.ret.lines.push({
      lineId: this.ctx.newId(),
      saleLineId: null,
      sku: sku.sku,
      name: sku.name,
      colour: sku.colour,
      size: sku.size,
      qty,
      unitPaidFen: sku.priceFen,
      refundFen: qty * sku.priceFen,
    });
    return this.till.changed();
  }

  cancel(): CartState {
    this.till.staff.require('returns');
    this.till.editable();
    const cart = this.till.data;
    cart.ret = null;
    cart.refundSources = [];
    return this.till.changed();
  }

  /** What each original tender can still take back: what it paid minus earlier refunds against this sale. */
  private refundSources(sale: SaleView): { method: TenderMethod; availableFen: number; reference?: string }[] {
    const refunded = this.ctx.db
      .prepare(
        'SELECT t.method, -sum(t.amount_fen) AS fen FROM sale_tender t JOIN sale s ON s.id = t.sale_id WHERE s.original_sale_id = ? AND t.amount_fen < 0 GROUP BY t.method',
      )
      .all(sale.saleId) as { method: TenderMethod; fen: number }[];
    const paid = new Map<TenderMethod, { fen: number; reference?: string }>();
    for (const t of sale.tenders) {
      if (t.amountFen <= 0) continue;
      const p = paid.get(t.method) ?? { fen: 0 };
      p.fen += t.amountFen;
      if (t.reference && !p.reference) p.reference = t.reference;
      paid.set(t.method, p);
    }
    return [...paid].map(([method, p]) => ({
      method,
      availableFen: Math.max(0, p.fen - (refunded.find((r) => r.method === method)?.fen ?? 0)),
      ...(p.reference ? { reference: p.reference } : {}),
    }));
  }
}
