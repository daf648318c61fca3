import type { PrintHoldReason, PrintJobState, PrintJobView, PrintQueueSummary } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { writeChange } from '../store/outbox.js';
import type { OutboxContext } from '../store/outbox.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';

export type JobRow = {
  seq: number;
  id: string;
  kind: string;
  document: string;
  state: PrintJobState;
  held_reason: PrintHoldReason | null;
  delivered: number;
  attempts: number;
  last_error: string | null;
  copy: number;
  reprint_of: string | null;
  kick_drawer: number;
  receipt_no: string | null;
  created_at: string;
  updated_at: string;
  printed_at: string | null;
};

/** Reasons the worker re-checks by itself; `interrupted` waits for a person. */
const PRINTER_REASONS = `('paper_end', 'cover_open', 'offline', 'unreachable')`;

export function jobView(row: JobRow): PrintJobView {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    heldReason: row.state === 'held' ? row.held_reason : null,
    attempts: row.attempts,
    error: row.last_error,
    copy: row.copy === 1,
    reprintOf: row.reprint_of,
    receiptNo: row.receipt_no,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    printedAt: row.printed_at,
  };
}

/**
 * The print queue in the local store. Every state change is one UPDATE (a committed row is the
 * truth after a crash); the decisions a person makes about a job — retry, cancel, reprint — are
 * audited through the outbox.
 */
export class PrintQueue {
  constructor(private readonly outbox: OutboxContext) {}

  private now(): string {
    return this.outbox.clock().toISOString();
  }

  get(id: string): JobRow | undefined {
    return this.outbox.db.prepare('SELECT * FROM print_job WHERE id = ?').get(id) as JobRow | undefined;
  }

  require(id: string): JobRow {
    const row = this.get(id);
    if (!row) throw new AppError('NOT_FOUND', `No print job ${id}`);
    return row;
  }

  /** The original (not a copy) print of a receipt number, newest first. */
  latestFor(receiptNo: string): JobRow {
    const row = this.outbox.db.prepare('SELECT * FROM print_job WHERE receipt_no = ? ORDER BY copy, seq DESC LIMIT 1').get(receiptNo) as
      JobRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No print job for receipt ${receiptNo}`);
    return row;
  }

  document(row: JobRow): ReceiptDocument {
    return JSON.parse(row.document) as ReceiptDocument;
  }

  enqueue(doc: ReceiptDocument, options: { kickDrawer?: boolean; reprintOf?: string } = {}): JobRow {
    const id = this.outbox.newId();
    const now = this.now();
    this.outbox.db
      .prepare(
        `INSERT INTO print_job (id, kind, document, state, copy, reprint_of, kick_drawer, receipt_no, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        doc.kind,
        JSON.stringify(doc),
        doc.copy ? 1 : 0,
        options.reprintOf ?? null,
        options.kickDrawer ? 1 : 0,
        doc.receiptNo ?? null,
        now,
        now,
      );
    return this.require(id);
  }

  /** The oldest job the worker should look at: queued, or held for a printer problem it re-checks itself. */
  next(): JobRow | undefined {
    return this.outbox.db
      .prepare(
        `SELECT * FROM print_job WHERE state = 'queued' OR (state = 'held' AND held_reason IN ${PRINTER_REASONS}) ORDER BY seq LIMIT 1`,
      )
      .get() as JobRow | undefined;
  }

  list(limit: number): PrintJobView[] {
    return (this.outbox.db.prepare('SELECT * FROM print_job ORDER BY seq DESC LIMIT ?').all(limit) as JobRow[]).map(jobView);
  }

  summary(): PrintQueueSummary {
    const rows = this.outbox.db
      .prepare(`SELECT state, count(*) AS n FROM print_job WHERE state IN ('queued', 'sending', 'held', 'failed') GROUP BY state`)
      .all() as { state: string; n: number }[];
    const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
    return { queued: n('queued') + n('sending'), held: n('held'), failed: n('failed') };
  }

  private set(id: string, fields: Partial<Omit<JobRow, 'seq' | 'id'>>): JobRow {
    const entries = Object.entries({ ...fields, updated_at: this.now() });
    this.outbox.db
      .prepare(`UPDATE print_job SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`)
      .run(...entries.map(([, v]) => v), id);
    return this.require(id);
  }

  /** Committed before the first byte goes out: a crash from here on leaves the job `sending`. */
  markSending(id: string): JobRow {
    this.outbox.db
      .prepare(`UPDATE print_job SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`)
      .run(this.now(), id);
    return this.require(id);
  }

  markDone(id: string): JobRow {
    const now = this.now();
    return this.set(id, { state: 'done', held_reason: null, last_error: null, delivered: 1, printed_at: now });
  }

  markHeld(id: string, reason: PrintHoldReason, delivered: boolean, error: string | null = null): JobRow {
    return this.set(id, { state: 'held', held_reason: reason, delivered: delivered ? 1 : 0, last_error: error });
  }

  /** The printer could not be reached: the job stays queued (nothing was sent), with the reason for the UI. */
  noteUnreachable(id: string, error: string): JobRow {
    return this.set(id, { last_error: error });
  }

  markFailed(id: string, error: string): JobRow {
    return this.set(id, { state: 'failed', held_reason: null, last_error: error });
  }

  /**
   * After a restart: a job left `sending`, or held after its bytes were delivered, may or may not
   * have printed. It is never resent silently: it is held as `interrupted` until a person says
   * whether it printed (retry) or not (cancel). Returns the jobs changed.
   */
  recoverAfterRestart(): JobRow[] {
    const rows = this.outbox.db
      .prepare(`SELECT * FROM print_job WHERE state = 'sending' OR (state = 'held' AND delivered = 1)`)
      .all() as JobRow[];
    return rows.map((r) =>
      this.set(r.id, {
        state: 'held',
        held_reason: 'interrupted',
        last_error: r.last_error ?? 'the terminal stopped while this job was being printed',
      }),
    );
  }

  /**
   * The printer was swapped while jobs sat delivered in the old one's buffer: whether they printed
   * there is unknown, and the new printer never got them. Held as `interrupted` for a person.
   */
  interruptDelivered(why: string): JobRow[] {
    const rows = this.outbox.db
      .prepare(`SELECT * FROM print_job WHERE state = 'held' AND delivered = 1 AND held_reason <> 'interrupted'`)
      .all() as JobRow[];
    return rows.map((r) => this.set(r.id, { held_reason: 'interrupted', last_error: why }));
  }

  /** A person asks to send a failed or interrupted job again (the same job, not a copy). */
  retry(id: string, staffId: string | null): JobRow {
    const row = this.require(id);
    if (row.state === 'queued') return row;
    if (row.state !== 'failed' && row.state !== 'held')
      throw new AppError('CONFLICT', `Job ${id} is ${row.state}; only failed or held jobs can be sent again`);
    // Held for paper/cover/offline after its bytes were delivered: the printer has the job in its
    // buffer and prints it when the problem is gone. Sending it again would print it twice.
    if (row.state === 'held' && row.delivered === 1 && row.held_reason !== 'interrupted') {
      throw new AppError('CONFLICT', `Job ${id} was already sent to the printer; it prints when the printer is ready`);
    }
    writeChange(
      this.outbox,
      { type: 'device.print_job_retried', payload: { jobId: id, was: row.state, heldReason: row.held_reason }, staffId },
      (db) => {
        db.prepare(
          `UPDATE print_job SET state = 'queued', held_reason = NULL, delivered = 0, last_error = NULL, updated_at = ? WHERE id = ?`,
        ).run(this.now(), id);
      },
    );
    return this.require(id);
  }

  cancel(id: string, staffId: string | null): JobRow {
    const row = this.require(id);
    if (row.state === 'cancelled') return row;
    if (row.state === 'done' || row.state === 'sending')
      throw new AppError('CONFLICT', `Job ${id} is ${row.state} and cannot be cancelled`);
    // As for retry: its bytes sit in the printer's buffer and print once the paper (cover, …) is
    // back, whatever the queue says. Calling it cancelled would be untrue then, and a reprint made
    // in its place would come out beside it. Once the printer went away it is `interrupted`, and a
    // person may cancel it.
    if (row.state === 'held' && row.delivered === 1 && row.held_reason !== 'interrupted') {
      throw new AppError('CONFLICT', `Job ${id} was already sent to the printer; it prints when the printer is ready`);
    }
    writeChange(
      this.outbox,
      { type: 'device.print_job_cancelled', payload: { jobId: id, was: row.state, heldReason: row.held_reason }, staffId },
      (db) => {
        db.prepare(`UPDATE print_job SET state = 'cancelled', updated_at = ? WHERE id = ?`).run(this.now(), id);
      },
    );
    return this.require(id);
  }

  /** A new job printing the same receipt marked as a copy (重印 / COPY); audited. */
  reprint(id: string, staffId: string | null): JobRow {
    const original = this.require(id);
    const doc: ReceiptDocument = { ...this.document(original), copy: true };
    const { result } = writeChange(
      this.outbox,
      { type: 'device.receipt_reprinted', payload: { jobId: id, receiptNo: original.receipt_no, kind: original.kind }, staffId },
      () => this.enqueue(doc, { reprintOf: id }),
    );
    return result;
  }
}
