import type { CashReport, ParsedInput, TenderMethod, TenderTotal, TillState } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../app/context.js';
import { attempt } from '../checkout/device-call.js';
import type { CheckoutService } from '../checkout/checkout-service.js';
import { storeLocalDate } from '../checkout/business-day.js';
import { yuan } from '../checkout/money.js';
import type { DrawerReason } from '../checkout/till-devices.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { writeChange } from '../store/outbox.js';
import type { TillSessionRow } from './till-sessions.js';

const METHODS: readonly TenderMethod[] = ['cash', 'card', 'external', 'wechat', 'alipay'];

/**
 * The till's business day: opened with a float, cash paid in and out with reasons, X reports at
 * any time and the Z report that closes the day with expected vs counted per tender. Every
 * movement is written with its outbox event in one transaction; the drawer opens after the write
 * and its failure is reported, never undoes the movement.
 */
export class CashupService {
  constructor(
    private readonly ctx: TerminalContext,
    private readonly till: CheckoutService,
  ) {}

  state(): TillState {
    const open = this.till.tills.open();
    if (open)
      return {
        state: 'open',
        sessionId: open.id,
        businessDay: open.business_day,
        openedAt: open.opened_at,
        openedBy: open.opened_by,
        floatFen: open.float_fen,
      };
    const last = this.till.tills.lastClosed();
    return { state: 'closed', lastZ: last?.closed_at ? { businessDay: last.business_day, closedAt: last.closed_at } : null };
  }

  async open(floatFen: number): Promise<TillState> {
    const staff = this.till.staff.require('cash');
    if (this.till.tills.open()) throw new AppError('CONFLICT', 'The till is already open');
    const now = this.ctx.clock();
    const id = this.ctx.newId();
    const businessDay = storeLocalDate(now, this.till.store.timezone);
    writeChange(this.ctx.outbox, { type: 'till.opened', payload: { sessionId: id, businessDay, floatFen }, staffId: staff.id }, (db) =>
      db
        .prepare('INSERT INTO till_session (id, business_day, opened_at, opened_by, float_fen) VALUES (?, ?, ?, ?, ?)')
        .run(id, businessDay, now.toISOString(), staff.id, floatFen),
    );
    return this.after({ kind: 'cash_up', staffId: staff.id, note: 'float' });
  }

  async paidIn(amountFen: number, reason: string): Promise<TillState> {
    const staff = this.till.staff.require('cash');
    this.move('paid_in', amountFen, reason, staff.id);
    return this.after({ kind: 'paid_in', staffId: staff.id, note: reason });
  }

  async paidOut(input: ParsedInput<'cashup', 'paidOut'>): Promise<TillState> {
    const staff = this.till.staff.require('cash');
    const { approvedBy } = this.till.staff.authorize('paid_out', input.approvalToken);
    const session = this.requireOpen();
    const cash = this.report(session, 'x', false).tenders.find((t) => t.method === 'cash')?.expectedFen ?? 0;
    if (input.amountFen > cash) throw new AppError('BAD_INPUT', `The drawer should hold only ${yuan(cash)}`);
    this.move('paid_out', input.amountFen, input.reason, staff.id, approvedBy?.id ?? null);
    return this.after({ kind: 'paid_out', staffId: staff.id, note: input.reason });
  }

  async noSale(reason: string, approvalToken: string | undefined): Promise<TillState> {
    const staff = this.till.staff.require('cash');
    const { approvedBy } = this.till.staff.authorize('no_sale', approvalToken);
    this.move('no_sale', 0, reason, staff.id, approvedBy?.id ?? null);
    return this.after({ kind: 'no_sale', staffId: staff.id, note: reason });
  }

  async xReport(blind: boolean, print: boolean): Promise<CashReport> {
    this.till.staff.require('cash');
    const report = this.report(this.requireOpen(), 'x', blind);
    if (print) report.printed = await attempt(() => this.till.deps.devices.printReceipt(this.document(report)));
    return report;
  }

  async zReport(input: ParsedInput<'cashup', 'zReport'>): Promise<CashReport> {
    const staff = this.till.staff.require('cash');
    const session = this.requireOpen();
    // A payment step waiting on the gateway (a refund before its commit) would land in a closed day.
    if (this.till.paying || this.till.data.tenders.length > 0)
      throw new AppError('CONFLICT', 'A sale is being paid: complete or clear it first');
    const counted: Partial<Record<TenderMethod, number>> = input.counted;
    const report = this.report(session, 'z', false, counted);
    const closedAt = this.ctx.clock().toISOString();
    report.closedAt = closedAt;
    report.blind = input.blind;
    writeChange(this.ctx.outbox, { type: 'till.closed', payload: { ...report, printed: undefined }, staffId: staff.id }, (db) =>
      db
        .prepare('UPDATE till_session SET closed_at = ?, closed_by = ?, counted = ?, blind = ? WHERE id = ? AND closed_at IS NULL')
        .run(closedAt, staff.id, JSON.stringify(counted), input.blind ? 1 : 0, session.id),
    );
    this.ctx.announceSync();
    this.ctx.events.emit('till.changed', this.state());
    report.printed = await attempt(() => this.till.deps.devices.printReceipt(this.document(report)));
    return report;
  }

  private requireOpen(): TillSessionRow {
    const s = this.till.tills.open();
    if (!s) throw new AppError('TILL_NOT_OPEN', 'The till is not open');
    return s;
  }

  private move(
    kind: 'paid_in' | 'paid_out' | 'no_sale',
    amountFen: number,
    reason: string,
    staffId: string,
    approvedBy: string | null = null,
  ): void {
    const session = this.requireOpen();
    const id = this.ctx.newId();
    const at = this.ctx.clock().toISOString();
    writeChange(
      this.ctx.outbox,
      { type: `cash.${kind}`, payload: { id, sessionId: session.id, amountFen, reason, approvedBy }, staffId },
      (db) =>
        db
          .prepare('INSERT INTO cash_movement (id, session_id, kind, amount_fen, reason, staff_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(id, session.id, kind, amountFen, reason, staffId, at),
    );
  }

  private async after(reason: DrawerReason): Promise<TillState> {
    this.ctx.announceSync();
    const state = this.state();
    this.ctx.events.emit('till.changed', state);
    // The movement is written; a drawer that does not open is the cashier's to see, not a failure of the call.
    const drawer = await attempt(() => this.till.deps.devices.openDrawer(reason));
    if (!drawer.sent) this.ctx.log('cash drawer did not open', drawer.error);
    return state;
  }

  private report(s: TillSessionRow, kind: 'x' | 'z', blind: boolean, counted?: Partial<Record<TenderMethod, number>>): CashReport {
    const db = this.ctx.db;
    const sales = db
      .prepare(
        `SELECT coalesce(sum(CASE WHEN kind != 'return' THEN 1 ELSE 0 END), 0) AS sales, coalesce(sum(CASE WHEN kind != 'sale' THEN 1 ELSE 0 END), 0) AS returns,
           coalesce(sum(total_fen), 0) AS sales_fen, coalesce(sum(refund_fen), 0) AS refunds_fen, coalesce(sum(discount_fen), 0) AS discount_fen
         FROM sale WHERE session_id = ?`,
      )
      .get(s.id) as { sales: number; returns: number; sales_fen: number; refunds_fen: number; discount_fen: number };
    const byMethod = db
      .prepare(
        'SELECT t.method, sum(t.amount_fen) AS fen FROM sale_tender t JOIN sale s ON s.id = t.sale_id WHERE s.session_id = ? GROUP BY t.method',
      )
      .all(s.id) as { method: TenderMethod; fen: number }[];
    const movements = db
      .prepare(
        'SELECT m.kind, m.amount_fen, m.reason, m.at, coalesce(st.name, m.staff_id) AS staff_name FROM cash_movement m LEFT JOIN staff st ON st.id = m.staff_id WHERE m.session_id = ? ORDER BY m.at',
      )
      .all(s.id) as { kind: 'paid_in' | 'paid_out' | 'no_sale'; amount_fen: number; reason: string; at: string; staff_name: string }[];
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
      blind,
      movements: movements.map((m) => ({ kind: m.kind, amountFen: m.amount_fen, reason: m.reason, staffName: m.staff_name, at: m.at })),
      printed: { sent: false },
    };
  }

  private document(r: CashReport): ReceiptDocument {
    const zh = this.till.deps.language() === 'zh-CN';
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
    ];
    return {
      kind: r.kind === 'x' ? 'x_report' : 'z_report',
      language: zh ? 'zh-CN' : 'en',
      store: { name: zh ? this.till.store.name.zh : this.till.store.name.en, code: this.till.store.code },
      deviceCode: this.till.deviceCode,
      issuedAt: r.closedAt ?? this.ctx.clock().toISOString(),
      timezone: this.till.store.timezone,
      lines: [],
      report: { title: r.kind === 'x' ? label('X 报表', 'X report') : label('Z 报表（日结）', 'Z report (day close)'), rows },
    };
  }
}
