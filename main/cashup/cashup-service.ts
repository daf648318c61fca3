import type { CashReport, Language, ParsedInput, StaffView, TenderMethod, TillMoved, TillState } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { TerminalContext } from '../core/context.js';
import { attempt, drawerOutcome } from '../core/peripherals.js';
import type { DrawerReason, Peripherals } from '../core/peripherals.js';
import { writeChange } from '../store/outbox.js';
import { yuan } from '../../sync/protocol/money.js';
import { storeLocalDate } from './business-day.js';
import { cashReport, reportDocument } from './cash-report.js';
import type { TillSessions, TillSessionRow } from './till-sessions.js';

export type CashupDeps = {
  ctx: Pick<TerminalContext, 'outbox' | 'db' | 'clock' | 'newId' | 'events' | 'announceSync' | 'log' | 'store'>;
  tills: TillSessions;
  peripherals: Peripherals;
  language: () => Language;
  deviceCode: string;
  /** A sale is being paid (a gateway call under way, or payments taken): the day must not close under it. */
  salePaying: () => boolean;
  /** Refunds the gateway paid whose return is not recorded yet (receipt, method, amount): they belong in the day. */
  unrecordedRefunds: () => { receiptNo: string; method: string; amountFen: number }[];
  /** How long the drawer has to confirm a kick before the cashier is told (ms; default `attempt`'s 10 s). */
  drawerAnswerMs?: number;
};

/**
 * The till's business day: opened with a float, cash paid in and out with reasons, X reports at
 * any time and the Z report that closes the day with expected vs counted per tender. Every
 * movement is written with its outbox event in one transaction; the drawer opens after the write
 * and its failure is reported, never undoes the movement. Who acts comes from the handler's guard.
 */
export class CashupService {
  constructor(private readonly deps: CashupDeps) {}

  private get ctx(): CashupDeps['ctx'] {
    return this.deps.ctx;
  }

  state(): TillState {
    const open = this.deps.tills.open();
    if (open) {
      return {
        state: 'open',
        sessionId: open.id,
        businessDay: open.business_day,
        openedAt: open.opened_at,
        openedBy: open.opened_by,
        floatFen: open.float_fen,
      };
    }
    const last = this.deps.tills.lastClosed();
    return { state: 'closed', lastZ: last?.closed_at ? { businessDay: last.business_day, closedAt: last.closed_at } : null };
  }

  async open(staff: StaffView, floatFen: number): Promise<TillMoved> {
    if (this.deps.tills.open()) throw new AppError('CONFLICT', 'The till is already open');
    const now = this.ctx.clock();
    const id = this.ctx.newId();
    const businessDay = storeLocalDate(now, this.ctx.store().timezone);
    writeChange(this.ctx.outbox, { type: 'till.opened', payload: { sessionId: id, businessDay, floatFen }, staffId: staff.id }, (db) =>
      db
        .prepare('INSERT INTO till_session (id, business_day, opened_at, opened_by, float_fen) VALUES (?, ?, ?, ?, ?)')
        .run(id, businessDay, now.toISOString(), staff.id, floatFen),
    );
    return this.after({ kind: 'cash_up', staffId: staff.id, note: 'float' });
  }

  async paidIn(staff: StaffView, amountFen: number, reason: string): Promise<TillMoved> {
    this.move('paid_in', amountFen, reason, staff.id);
    return this.after({ kind: 'paid_in', staffId: staff.id, note: reason });
  }

  async paidOut(staff: StaffView, approvedBy: StaffView | null, input: ParsedInput<'cashup', 'paidOut'>): Promise<TillMoved> {
    const session = this.requireOpen();
    const cash = cashReport(this.ctx.db, session, 'x', false).tenders.find((t) => t.method === 'cash')?.expectedFen ?? 0;
    if (input.amountFen > cash) throw new AppError('BAD_INPUT', `The drawer should hold only ${yuan(cash)}`);
    this.move('paid_out', input.amountFen, input.reason, staff.id, approvedBy?.id ?? null);
    return this.after({ kind: 'paid_out', staffId: staff.id, note: input.reason });
  }

  async noSale(staff: StaffView, approvedBy: StaffView | null, reason: string): Promise<TillMoved> {
    this.move('no_sale', 0, reason, staff.id, approvedBy?.id ?? null);
    return this.after({ kind: 'no_sale', staffId: staff.id, note: reason });
  }

  async xReport(blind: boolean, print: boolean): Promise<CashReport> {
    const report = cashReport(this.ctx.db, this.requireOpen(), 'x', blind);
    if (print) report.printed = await attempt(() => this.deps.peripherals.printReceipt(this.document(report)));
    return report;
  }

  async zReport(staff: StaffView, input: ParsedInput<'cashup', 'zReport'>): Promise<CashReport> {
    const session = this.requireOpen();
    // A payment step waiting on the gateway (a refund before its commit) would land in a closed day.
    if (this.deps.salePaying()) throw new AppError('CONFLICT', 'A sale is being paid: complete or clear it first');
    const unrecorded = this.deps.unrecordedRefunds();
    if (unrecorded.length > 0) {
      const list = unrecorded.map((r) => `${yuan(r.amountFen)} to ${r.method} for ${r.receiptNo}`).join(', ');
      throw new AppError(
        'CONFLICT',
        `Refunds were paid whose return is not recorded (${list}): open Returns with the receipt and complete it first`,
      );
    }
    const counted: Partial<Record<TenderMethod, number>> = input.counted;
    const report = cashReport(this.ctx.db, session, 'z', false, counted);
    const closedAt = this.ctx.clock().toISOString();
    report.closedAt = closedAt;
    report.blind = input.blind;
    const { printed: _printed, ...closed } = report;
    writeChange(this.ctx.outbox, { type: 'till.closed', payload: { ...closed, kind: 'z', closedAt }, staffId: staff.id }, (db) =>
      db
        .prepare('UPDATE till_session SET closed_at = ?, closed_by = ?, counted = ?, blind = ? WHERE id = ? AND closed_at IS NULL')
        .run(closedAt, staff.id, JSON.stringify(counted), input.blind ? 1 : 0, session.id),
    );
    this.ctx.announceSync();
    this.ctx.events.emit('till.changed', this.state());
    report.printed = await attempt(() => this.deps.peripherals.printReceipt(this.document(report)));
    return report;
  }

  private requireOpen(): TillSessionRow {
    const s = this.deps.tills.open();
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

  private async after(reason: DrawerReason & { kind: Exclude<DrawerReason['kind'], 'test'>; staffId: string }): Promise<TillMoved> {
    this.ctx.announceSync();
    const state = this.state();
    this.ctx.events.emit('till.changed', state);
    // The movement is written; a drawer that does not open (or may have) is the cashier's to see
    // in the answer, not a failure of the call.
    const result = await attempt((deadline) => this.deps.peripherals.openDrawer(reason, deadline), this.deps.drawerAnswerMs);
    if (!result.sent) this.ctx.log(result.uncertain ? 'cash drawer may have opened' : 'cash drawer did not open', result.error);
    return { ...state, drawer: drawerOutcome(result) };
  }

  private document(r: CashReport) {
    return reportDocument(r, {
      language: this.deps.language(),
      store: this.ctx.store(),
      deviceCode: this.deps.deviceCode,
      now: this.ctx.clock(),
    });
  }
}
