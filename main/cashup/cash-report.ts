import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { CashReport, Language, TenderMethod, TenderTotal } from '../api/contract.js';
import type { StoreInfo } from '../core/store-info.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { yuan } from '../../sync/protocol/money.js';
import type { TillSessionRow } from './till-sessions.js';

const METHODS: readonly TenderMethod[] = ['cash', 'card', 'external', 'wechat', 'alipay', 'unionpay'];

type Movement = { kind: 'paid_in' | 'paid_out' | 'no_sale'; amount_fen: number; reason: string; at: string; staff_name: string };

/**
 * The day so far (X) or at its close (Z), from the till session's sales, tenders and cash
 * movements. Blind: no expected figures for whoever is counting.
 */
export function cashReport(
  db: Database,
  s: TillSessionRow,
  kind: 'x' | 'z',
  blind: boolean,
  counted?: Partial<Record<TenderMethod, number>>,
): CashReport {
  const sales = db
    .prepare(
      `SELECT coalesce(sum(CASE WHEN kind != 'return' THEN 1 ELSE 0 END), 0) AS sales,
              coalesce(sum(CASE WHEN kind != 'sale' THEN 1 ELSE 0 END), 0) AS returns,
              coalesce(sum(total_fen), 0) AS sales_fen, coalesce(sum(refund_fen), 0) AS refunds_fen, coalesce(sum(discount_fen), 0) AS discount_fen
         FROM sale WHERE session_id = ?`,
    )
    .get(s.id) as { sales: number; returns: number; sales_fen: number; refunds_fen: number; discount_fen: number };
  const byMethod = db
    .prepare(
      'SELECT t.method, sum(t.amount_fen) AS fen FROM sale_tender t JOIN sale s ON s.id = t.sale_id WHERE s.session_id = ? GROUP BY t.method',
    )
    .all(s.id) as { method: TenderMethod; fen: number }[];
  const cashInstead = db
    .prepare(
      `SELECT t.instead_of AS method, -sum(t.amount_fen) AS amountFen, count(*) AS count
         FROM sale_tender t JOIN sale s ON s.id = t.sale_id
        WHERE s.session_id = ? AND t.instead_of IS NOT NULL GROUP BY t.instead_of ORDER BY t.instead_of`,
    )
    .all(s.id) as CashReport['cashInstead'];
  const movements = db
    .prepare(
      `SELECT m.kind, m.amount_fen, m.reason, m.at, coalesce(st.name, m.staff_id) AS staff_name
         FROM cash_movement m LEFT JOIN staff st ON st.id = m.staff_id
        WHERE m.session_id = ? ORDER BY m.at`,
    )
    .all(s.id) as Movement[];
  const paidIn = movements.filter((m) => m.kind === 'paid_in').reduce((a, m) => a + m.amount_fen, 0);
  const paidOut = movements.filter((m) => m.kind === 'paid_out').reduce((a, m) => a + m.amount_fen, 0);
  const tenders: TenderTotal[] = METHODS.filter(
    (m) => m === 'cash' || byMethod.some((b) => b.method === m) || counted?.[m] !== undefined,
  ).map((method) => {
    const taken = byMethod.find((b) => b.method === method)?.fen ?? 0;
    const expected = method === 'cash' ? s.float_fen + taken + paidIn - paidOut : taken;
    const c = counted?.[method];
    return {
      method,
      expectedFen: blind ? null : expected,
      countedFen: c ?? null,
      varianceFen: c === undefined || blind ? null : c - expected,
    };
  });
  return {
    kind,
    sessionId: s.id,
    businessDay: s.business_day,
    openedAt: s.opened_at,
    closedAt: null,
    floatFen: s.float_fen,
    salesCount: sales.sales,
    returnsCount: sales.returns,
    salesFen: sales.sales_fen,
    refundsFen: sales.refunds_fen,
    discountFen: sales.discount_fen,
    paidInFen: paidIn,
    paidOutFen: paidOut,
    noSaleCount: movements.filter((m) => m.kind === 'no_sale').length,
    tenders,
    cashInstead,
    blind,
    movements: movements.map((m) => ({ kind: m.kind, amountFen: m.amount_fen, reason: m.reason, staffName: m.staff_name, at: m.at })),
    printed: { sent: false },
  };
}

/** The report as the printer gets it. */
export function reportDocument(r: CashReport, c: { language: Language; store: StoreInfo; deviceCode: string; now: Date }): ReceiptDocument {
  const zh = c.language === 'zh-CN';
  const label = (zhText: string, en: string) => (zh ? zhText : en);
  const rows = [
    { label: label('营业日', 'Business day'), value: r.businessDay },
    { label: label('备用金', 'Float'), value: yuan(r.floatFen) },
    { label: label('销售笔数', 'Sales'), value: String(r.salesCount) },
    { label: label('销售额', 'Sales total'), value: yuan(r.salesFen) },
    { label: label('退款', 'Refunds'), value: yuan(r.refundsFen) },
    { label: label('折扣', 'Discounts'), value: yuan(r.discountFen) },
    { label: label('存入', 'Paid in'), value: yuan(r.paidInFen) },
    { label: label('取出', 'Paid out'), value: yuan(r.paidOutFen) },
    ...r.tenders.flatMap((t) => [
      { label: `${t.method} ${label('应有', 'expected')}`, value: t.expectedFen === null ? '—' : yuan(t.expectedFen) },
      ...(t.countedFen !== null ? [{ label: `${t.method} ${label('实点', 'counted')}`, value: yuan(t.countedFen) }] : []),
      ...(t.varianceFen !== null ? [{ label: `${t.method} ${label('差异', 'variance')}`, value: yuan(t.varianceFen) }] : []),
    ]),
    ...r.cashInstead.map((c) => ({
      label: label(`现金代退 ${c.method} (${c.count}笔)`, `Cash refunded for ${c.method} (${c.count})`),
      value: yuan(c.amountFen),
    })),
  ];
  return {
    kind: r.kind === 'x' ? 'x_report' : 'z_report',
    language: zh ? 'zh-CN' : 'en',
    store: { name: zh ? c.store.name.zh : c.store.name.en, code: c.store.code },
    deviceCode: c.deviceCode,
    issuedAt: r.closedAt ?? c.now.toISOString(),
    timezone: c.store.timezone,
    lines: [],
    report: { title: r.kind === 'x' ? label('X 报表', 'X report') : label('Z 报表（日结）', 'Z report (day close)'), rows },
  };
}
