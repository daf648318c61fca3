import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { SaleKind, SaleLineView, SaleSummary, SaleView, StaffRole, TenderMethod } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { SaleLookup, SaleMoney } from '../../sync/protocol/refund-sources.js';

type SaleRow = {
  id: string;
  receipt_no: string;
  kind: SaleKind;
  business_day: string;
  created_at: string;
  staff_id: string;
  staff_code: string | null;
  staff_name: string | null;
  staff_role: StaffRole | null;
  customer_id: string | null;
  member_code: string | null;
  member_name: string | null;
  original_receipt_no: string | null;
  subtotal_fen: number;
  discount_fen: number;
  total_fen: number;
  refund_fen: number;
  net_fen: number;
  change_fen: number;
  points_redeemed: number;
  points_value_fen: number;
  points_earned: number;
  offline: number;
};

type LineRow = {
  id: string;
  sku: string;
  name_zh: string;
  name_en: string;
  colour_zh: string;
  colour_en: string;
  size: string;
  qty: number;
  unit_fen: number;
  discount_fen: number;
  total_fen: number;
  returned_qty: number;
  returned_fen: number;
};

type SummaryRow = {
  id: string;
  receipt_no: string;
  kind: SaleKind;
  created_at: string;
  staff_name: string | null;
  member_name: string | null;
  item_count: number;
  net_fen: number;
};

const SALE_SELECT = `SELECT s.*, st.code AS staff_code, st.name AS staff_name, st.role AS staff_role,
    m.code AS member_code, c.name AS member_name, o.receipt_no AS original_receipt_no
  FROM sale s
  LEFT JOIN staff st ON st.id = s.staff_id
  LEFT JOIN customer c ON c.id = s.customer_id
  LEFT JOIN member_code m ON m.customer_id = s.customer_id
  LEFT JOIN sale o ON o.id = s.original_sale_id`;

const SUMMARY_SELECT = `SELECT s.id, s.receipt_no, s.kind, s.created_at, st.name AS staff_name, c.name AS member_name, s.net_fen,
    (SELECT coalesce(sum(abs(qty)), 0) FROM sale_line WHERE sale_id = s.id) AS item_count
  FROM sale s LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN customer c ON c.id = s.customer_id`;

type MoneyRow = { id: string; original_sale_id: string | null; total_fen: number; refund_fen: number };

/** Sales on this device, as the history screen, the returns and the receipts read them. */
export class SalesReader implements SaleLookup<TenderMethod> {
  private readonly byReceipt: Statement<[string], SaleRow>;
  private readonly byId: Statement<[string], SaleRow>;
  private readonly lines: Statement<[string], LineRow>;
  private readonly tenders: Statement<
    [string],
    { method: TenderMethod; amount_fen: number; reference: string | null; given_fen: number | null; change_fen: number | null }
  >;
  private readonly coupons: Statement<[string], { code: string; discount_fen: number; offline: number }>;
  private readonly day: Statement<[string], SummaryRow>;
  private readonly member: Statement<[string], SummaryRow>;

  private readonly moneyOf: Statement<[string], MoneyRow>;
  private readonly returnsAgainst: Statement<[string], MoneyRow>;
  private readonly paidWith: Statement<[string], { method: TenderMethod; amount_fen: number; reference: string | null }>;

  constructor(db: Database) {
    this.byReceipt = db.prepare(`${SALE_SELECT} WHERE s.receipt_no = ? COLLATE NOCASE`);
    this.byId = db.prepare(`${SALE_SELECT} WHERE s.id = ?`);
    this.lines = db.prepare(`
      SELECT l.*,
        coalesce((SELECT -sum(r.qty) FROM sale_line r WHERE r.original_line_id = l.id), 0) AS returned_qty,
        coalesce((SELECT -sum(r.total_fen) FROM sale_line r WHERE r.original_line_id = l.id), 0) AS returned_fen
      FROM sale_line l WHERE l.sale_id = ? ORDER BY l.line_no`);
    this.tenders = db.prepare(
      'SELECT method, amount_fen, reference, given_fen, change_fen FROM sale_tender WHERE sale_id = ? ORDER BY amount_fen < 0, id',
    );
    this.coupons = db.prepare('SELECT code, discount_fen, offline FROM sale_coupon WHERE sale_id = ? ORDER BY code');
    this.day = db.prepare(`${SUMMARY_SELECT} WHERE s.business_day = ? ORDER BY s.created_at DESC, s.receipt_no DESC`);
    this.member = db.prepare(`${SUMMARY_SELECT} WHERE s.customer_id = ? ORDER BY s.created_at DESC LIMIT 200`);
    // A return's refund as the refund logic follows it: what its lines of the original sale took
    // back (lines returned without a receipt beside them were paid in cash, not from its money).
    const money = `SELECT s.id, s.original_sale_id, s.total_fen,
        coalesce((SELECT -sum(l.total_fen) FROM sale_line l WHERE l.sale_id = s.id AND l.original_line_id IS NOT NULL), 0) AS refund_fen
      FROM sale s`;
    this.moneyOf = db.prepare(`${money} WHERE s.id = ?`);
    // In the order the till wrote them, which is the order HQ received them (device migration 12):
    // not by their time, which a clock that stepped back would reorder.
    this.returnsAgainst = db.prepare(`${money} WHERE s.original_sale_id = ? ORDER BY s.commit_seq`);
    this.paidWith = db.prepare('SELECT method, amount_fen, reference FROM sale_tender WHERE sale_id = ? ORDER BY id');
  }

  /** A sale's money, as the refund logic follows it (sync/protocol/refund-sources.ts). */
  money(saleId: string): SaleMoney<TenderMethod> | undefined {
    const row = this.moneyOf.get(saleId);
    return row && this.toMoney(row);
  }

  /** The returns and exchanges made against a sale, oldest first. */
  returnsOf(saleId: string): SaleMoney<TenderMethod>[] {
    return this.returnsAgainst.all(saleId).map((r) => this.toMoney(r));
  }

  private toMoney(r: MoneyRow): SaleMoney<TenderMethod> {
    return {
      saleId: r.id,
      originalSaleId: r.original_sale_id,
      totalFen: r.total_fen,
      refundFen: r.refund_fen,
      tenders: this.paidWith.all(r.id).map((t) => ({ method: t.method, amountFen: t.amount_fen, reference: t.reference })),
    };
  }

  find(receiptNo: string): SaleView {
    const row = this.byReceipt.get(receiptNo.trim());
    if (!row) throw new AppError('NOT_FOUND', `No sale ${receiptNo} on this device`);
    return this.view(row);
  }

  get(saleId: string): SaleView {
    const row = this.byId.get(saleId);
    if (!row) throw new AppError('NOT_FOUND', `No sale ${saleId} on this device`);
    return this.view(row);
  }

  ofDay(businessDay: string): SaleSummary[] {
    return this.day.all(businessDay).map(toSummary);
  }

  ofMember(customerId: string): SaleSummary[] {
    return this.member.all(customerId).map(toSummary);
  }

  private view(r: SaleRow): SaleView {
    const lines = this.lines.all(r.id).map((l): SaleLineView => ({
      saleLineId: l.id,
      sku: l.sku,
      name: { zh: l.name_zh, en: l.name_en },
      colour: { zh: l.colour_zh, en: l.colour_en },
      size: l.size,
      qty: l.qty,
      unitFen: l.unit_fen,
      discountFen: l.discount_fen,
      totalFen: l.total_fen,
      returnedQty: l.returned_qty,
      returnedFen: l.returned_fen,
    }));
    const offline = r.offline === 1;
    return {
      saleId: r.id,
      receiptNo: r.receipt_no,
      kind: r.kind,
      businessDay: r.business_day,
      createdAt: r.created_at,
      staff: { id: r.staff_id, code: r.staff_code ?? '', name: r.staff_name ?? r.staff_id, role: r.staff_role ?? 'cashier' },
      member: r.customer_id ? { id: r.customer_id, code: r.member_code ?? '', name: r.member_name ?? '' } : null,
      lines,
      tenders: this.tenders.all(r.id).map((t) => ({
        method: t.method,
        amountFen: t.amount_fen,
        ...(t.reference ? { reference: t.reference } : {}),
        ...(t.given_fen !== null ? { givenFen: t.given_fen } : {}),
        ...(t.change_fen !== null ? { changeFen: t.change_fen } : {}),
      })),
      coupons: this.coupons.all(r.id).map((c) => ({ code: c.code, discountFen: c.discount_fen, offline: c.offline === 1 })),
      points:
        r.points_redeemed > 0 || r.points_earned !== 0
          ? { redeemed: r.points_redeemed, valueFen: r.points_value_fen, offline, earned: r.points_earned }
          : null,
      totals: {
        subtotalFen: r.subtotal_fen,
        discountFen: r.discount_fen,
        totalFen: r.total_fen,
        refundFen: r.refund_fen,
        netFen: r.net_fen,
        changeFen: r.change_fen,
      },
      originalReceiptNo: r.original_receipt_no,
    };
  }
}

function toSummary(r: SummaryRow): SaleSummary {
  return {
    saleId: r.id,
    receiptNo: r.receipt_no,
    kind: r.kind,
    createdAt: r.created_at,
    staffName: r.staff_name ?? '',
    memberName: r.member_name,
    itemCount: r.item_count,
    netFen: r.net_fen,
  };
}
