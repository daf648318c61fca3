import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { SaleKind, TenderMethod } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { OutboxContext } from '../store/outbox.js';
import { writeChange } from '../store/outbox.js';
import { boundGuideOf } from './service-credit.js';
import type { CartItem, Rendered, ReturnState, TenderRecord } from './cart.js';
import { nextReceiptNo } from './receipt-number.js';
import type { SaleCompleted } from '../../sync/protocol/events/index.js';

/** Money paid back: `insteadOf` — paid in cash although it came from that method (a manager approved). */
export type RefundTender = { method: TenderMethod; amountFen: number; reference?: string; insteadOf?: TenderMethod };

export type SaleCommit = {
  saleId: string;
  kind: SaleKind;
  staffId: string;
  sessionId: string;
  businessDay: string;
  storeCode: string;
  deviceCode: string;
  storeId: string;
  customerId: string | null;
  items: CartItem[];
  ret: ReturnState | null;
  rendered: Rendered;
  tenders: TenderRecord[];
  refunds: RefundTender[];
  /** The payment intents (gateway charges and refunds) this sale records: settled in its transaction. */
  intents: readonly string[];
  points: { redeemed: number; valueFen: number } | null;
  pointsEarned: number;
  /** HQ could not be asked (coupons, points and the sale itself were taken offline). */
  offline: boolean;
  createdAt: string;
  /** Runs first inside the commit's transaction, on the committed state (throws to refuse the commit). */
  check?: () => void;
};

/**
 * Writes a sale (or return / exchange) and its outbox event in one transaction: the receipt
 * number, the sale, its lines, tenders and refunds, coupon and points use, the stock movement.
 * Checks that need the committed state (the day still open, a coupon spent on this device, more
 * returned than sold) run inside the same transaction, so two tills on one store file cannot both pass them.
 */
export function commitSale(outbox: OutboxContext, c: SaleCommit): { receiptNo: string; payload: SaleCompleted } {
  const { state } = c.rendered;
  // The `sale.completed` event's payload: what HQ needs to record the sale as it happened (its schema is in sync/protocol).
  const payload: SaleCompleted = {
    saleId: c.saleId,
    receiptNo: '',
    kind: c.kind,
    businessDay: c.businessDay,
    tillSessionId: c.sessionId,
    staffId: c.staffId,
    customerId: c.customerId,
    originalSaleId: c.ret?.saleId ?? null,
    lines: [
      ...state.lines.map((l) => ({
        lineId: l.lineId,
        sku: l.sku,
        qty: l.qty,
        listUnitFen: l.listUnitFen,
        unitFen: l.unitFen,
        discountFen: l.grossFen - l.totalFen,
        totalFen: l.totalFen,
        promotions: l.promotions.map((p) => ({ id: p.id, discountFen: p.discountFen })),
        originalLineId: null,
      })),
      ...(c.ret?.lines ?? []).map((r) => ({
        lineId: r.lineId,
        sku: r.sku,
        qty: -r.qty,
        listUnitFen: r.unitPaidFen,
        unitFen: r.unitPaidFen,
        discountFen: 0,
        totalFen: -r.refundFen,
        promotions: [],
        originalLineId: r.saleLineId,
      })),
    ],
    tenders: [
      ...c.tenders.map((t) => ({
        method: t.method,
        amountFen: t.amountFen,
        reference: t.reference ?? null,
        providerRef: t.providerRef ?? null,
      })),
      ...c.refunds.map((r) => ({
        method: r.method,
        amountFen: -r.amountFen,
        reference: r.reference ?? null,
        providerRef: r.reference ?? null,
        ...(r.insteadOf ? { insteadOf: r.insteadOf } : {}),
      })),
    ],
    coupons: state.coupons
      .filter((x) => x.active && x.discountFen > 0)
      .map((x) => ({ code: x.code, discountFen: x.discountFen, spentOffline: c.offline })),
    points:
      c.points || c.pointsEarned !== 0
        ? { redeemed: c.points?.redeemed ?? 0, valueFen: c.points?.valueFen ?? 0, spentOffline: c.offline, earned: c.pointsEarned }
        : null,
    totals: {
      subtotalFen: state.totals.subtotalFen,
      discountFen: state.totals.discountFen,
      totalFen: state.totals.totalFen,
      refundFen: state.totals.refundFen,
      netFen: state.totals.netFen,
      changeFen: state.totals.changeFen,
    },
    offline: c.offline,
    createdAt: c.createdAt,
  };

  const run = outbox.db.transaction(() => {
    const receiptNo = nextReceiptNo(outbox.db, c.storeCode, c.deviceCode, c.businessDay);
    payload.receiptNo = receiptNo;
    // The customer book (issue 11): service credit to the member's guide as this device knows it now.
    payload.serviceGuideId = boundGuideOf(outbox.db, c.customerId);
    writeChange(outbox, { type: 'sale.completed', payload, staffId: c.staffId }, (db) => writeRows(db, c, payload));
    return receiptNo;
  });
  return { receiptNo: run.immediate(), payload };
}

type Statements = ReturnType<typeof prepare>;
const statements = new WeakMap<Database, Statements>();

/** Prepared once per database: a commit runs them, it does not compile them. */
function prepare(db: Database) {
  return {
    // Two tills on one store file share the day: the other may have closed it (Z report) while this
    // sale waited on HQ or the gateway, and a sale written into a counted day is missing from its Z.
    dayOpen: db.prepare('SELECT 1 FROM till_session WHERE id = ? AND closed_at IS NULL').pluck(),
    settledBy: db.prepare("SELECT sale_id FROM payment_intent WHERE id = ? AND state = 'settled'").pluck(),
    sold: db.prepare(
      'SELECT qty, coalesce((SELECT -sum(r.qty) FROM sale_line r WHERE r.original_line_id = l.id), 0) AS returned FROM sale_line l WHERE l.id = ?',
    ),
    // commit_seq: the order the till writes its sales in, which the refunds of a sale's returns follow (device migration 12).
    sale: db.prepare(
      `INSERT INTO sale (id, receipt_no, kind, session_id, business_day, staff_id, customer_id, original_sale_id, subtotal_fen, discount_fen, total_fen,
         refund_fen, net_fen, change_fen, points_redeemed, points_value_fen, points_earned, offline, created_at, commit_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(commit_seq), 0) + 1 FROM sale))`,
    ),
    line: db.prepare(
      `INSERT INTO sale_line (id, sale_id, line_no, sku, name_zh, name_en, colour_zh, colour_en, size, qty, list_unit_fen, unit_fen, discount_fen, total_fen, detail, original_line_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    stock: db.prepare(
      `INSERT INTO stock (location_id, sku, qty, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(location_id, sku) DO UPDATE SET qty = qty + excluded.qty, updated_at = excluded.updated_at`,
    ),
    tender: db.prepare(
      'INSERT INTO sale_tender (id, sale_id, method, amount_fen, given_fen, change_fen, reference, instead_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    settle: db.prepare(
      "UPDATE payment_intent SET state = 'settled', sale_id = ?, updated_at = ? WHERE id = ? AND state IN ('pending', 'paid', 'failed')",
    ),
    // A use of a sale HQ has settled is HQ's to judge (a return may have restored the coupon): it makes way for the new one.
    use: db.prepare(
      `INSERT INTO coupon_use (code, sale_id, used_at, offline) VALUES (?, ?, ?, ?)
       ON CONFLICT(code) DO UPDATE SET sale_id = excluded.sale_id, used_at = excluded.used_at, offline = excluded.offline
        WHERE EXISTS (SELECT 1 FROM sale_settlement x WHERE x.sale_id = coupon_use.sale_id)`,
    ),
    saleCoupon: db.prepare('INSERT INTO sale_coupon (sale_id, code, discount_fen, offline) VALUES (?, ?, ?, ?)'),
    points: db.prepare('INSERT INTO points_use (sale_id, customer_id, points, offline) VALUES (?, ?, ?, ?)'),
  };
}

function writeRows(db: Database, c: SaleCommit, p: SaleCompleted): void {
  const { state } = c.rendered;
  let st = statements.get(db);
  if (!st) {
    st = prepare(db);
    statements.set(db, st);
  }
  const { sold, line, stock, tender, use, saleCoupon } = st;
  if (st.dayOpen.get(c.sessionId) === undefined) {
    throw new AppError(
      'TILL_NOT_OPEN',
      "The till's day was closed (Z report) while this sale was completed: open the till and complete it again",
    );
  }
  c.check?.();
  // A gateway payment is recorded by one sale. Two tills may hold one cart (a return left waiting on
  // the gateway on one till is taken up on another): the one that completes second is told so.
  for (const id of c.intents) {
    if (st.settledBy.get(id) !== undefined) {
      throw new AppError('CONFLICT', 'This payment is recorded in a sale already (completed on another till): clear the cart');
    }
  }
  // A return can never take back more than this device sold on that line.
  for (const r of c.ret?.lines ?? []) {
    if (!r.saleLineId) continue;
    const row = sold.get(r.saleLineId) as { qty: number; returned: number } | undefined;
    if (!row || row.returned + r.qty > row.qty) {
      throw new AppError('RETURN_EXCEEDS_SALE', `Only ${row ? row.qty - row.returned : 0} of ${r.sku} are left to return on this receipt`);
    }
  }
  st.sale.run(
    c.saleId,
    p.receiptNo,
    c.kind,
    c.sessionId,
    c.businessDay,
    c.staffId,
    c.customerId,
    c.ret?.saleId ?? null,
    p.totals.subtotalFen,
    p.totals.discountFen,
    p.totals.totalFen,
    p.totals.refundFen,
    p.totals.netFen,
    p.totals.changeFen,
    c.points?.redeemed ?? 0,
    c.points?.valueFen ?? 0,
    c.pointsEarned,
    c.offline ? 1 : 0,
    c.createdAt,
  );
  let n = 0;
  state.lines.forEach((l, i) => {
    const item = c.items[i];
    const detail = {
      manualDiscount: l.manualDiscount,
      manualDiscountFen: l.manualDiscountFen,
      discountApprovedBy: item?.discountApprovedBy ?? null,
      override: l.override,
      promotions: l.promotions,
      promotionDiscountFen: l.promotionDiscountFen,
      orderDiscountFen: l.orderDiscountFen,
    };
    line.run(
      l.lineId,
      c.saleId,
      ++n,
      l.sku,
      l.name.zh,
      l.name.en,
      l.colour.zh,
      l.colour.en,
      l.size,
      l.qty,
      l.listUnitFen,
      l.unitFen,
      l.grossFen - l.totalFen,
      l.totalFen,
      JSON.stringify(detail),
      null,
    );
    stock.run(c.storeId, l.sku, -l.qty, c.createdAt);
  });
  for (const r of c.ret?.lines ?? []) {
    line.run(
      r.lineId,
      c.saleId,
      ++n,
      r.sku,
      r.name.zh,
      r.name.en,
      r.colour.zh,
      r.colour.en,
      r.size,
      -r.qty,
      r.unitPaidFen,
      r.unitPaidFen,
      0,
      -r.refundFen,
      JSON.stringify({ noReceipt: r.saleLineId === null }),
      r.saleLineId,
    );
    stock.run(c.storeId, r.sku, r.qty, c.createdAt);
  }
  for (const t of c.tenders)
    tender.run(t.tenderId, c.saleId, t.method, t.amountFen, t.givenFen ?? null, t.changeFen ?? null, t.reference ?? null, null);
  c.refunds.forEach((r, i) =>
    tender.run(`${c.saleId}-rf${i + 1}`, c.saleId, r.method, -r.amountFen, null, null, r.reference ?? null, r.insteadOf ?? null),
  );
  for (const id of c.intents) st.settle.run(c.saleId, c.createdAt, id);
  for (const cp of p.coupons) {
    if (use.run(cp.code, c.saleId, c.createdAt, c.offline ? 1 : 0).changes === 0) {
      throw new AppError('COUPON_USED', `Coupon ${cp.code} was already used on this device`);
    }
    saleCoupon.run(c.saleId, cp.code, cp.discountFen, c.offline ? 1 : 0);
  }
  if (c.points && c.customerId) {
    st.points.run(c.saleId, c.customerId, c.points.redeemed, c.offline ? 1 : 0);
  }
}
