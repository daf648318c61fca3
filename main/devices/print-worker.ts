import type { PrintHoldReason, PrinterProblem } from '../api/contract.js';
import { readRealtimeStatus } from '../../native/printer/open-printer.js';
import { PrinterTimeoutError } from '../../native/printer/printer-connection.js';
import type { PrinterConnection } from '../../native/printer/printer-connection.js';
import { problemOf } from '../../native/printer/printer-status.js';
import type { RealtimeStatus } from '../../native/printer/printer-status.js';
import type { RenderedReceipt } from '../../native/printer/render-receipt.js';
import type { PrinterLink } from './printer-link.js';
import type { JobRow, PrintQueue } from './print-queue.js';

export type WorkerDeps = {
  queue: PrintQueue;
  link: PrinterLink;
  /** Renders a job for the printer configured now. */
  render: (job: JobRow) => RenderedReceipt;
  /** Every status read (null: write-only link) or link failure, for the status the UI shows. */
  onStatus: (status: RealtimeStatus | null, problem: PrinterProblem | null, error: string | null) => void;
  onJob: (job: JobRow) => void;
  log: (message: string, detail?: unknown) => void;
  /** How often a held job re-checks the printer. */
  heldPollMs: number;
  /** Longest wait between reconnect attempts to an unreachable printer. */
  maxBackoffMs: number;
};

type Next = { wait: number } | 'idle';

/**
 * Sends queued jobs in order, one at a time. Before a job: the printer's status (paper, cover,
 * online) — a problem holds the job without sending it. After sending: the status again — a
 * problem now (paper ran out mid-job) holds the job as *delivered*: the printer keeps the rest
 * in its buffer and finishes it when the paper is back, so the job is marked done then, and
 * never sent a second time. Only a job's first send and a person's retry ever send bytes.
 */
export class PrintWorker {
  private running = false;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  /** Set by wake(); a wake that comes while a step runs must not be lost (the step may have seen an empty queue). */
  private woken = false;
  private backoffMs = 250;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => this.deps.log('print worker stopped on an error', error));
  }

  /** Something changed (a new job, a retry, a new printer): look at the queue now. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let next: Next;
      this.woken = false;
      try {
        next = await this.step();
      } catch (error) {
        this.deps.log('print worker step failed', error);
        next = { wait: this.deps.heldPollMs };
      }
      if (this.stopped) break;
      if (next === 'idle') {
        await this.deps.link.release();
        await this.sleep(undefined);
      } else if (next.wait > 0) await this.sleep(next.wait);
    }
  }

  private sleep(ms: number | undefined): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private changed(job: JobRow): void {
    this.deps.onJob(job);
  }

  private async step(): Promise<Next> {
    const { queue, link } = this.deps;
    const job = queue.next();
    if (!job) return 'idle';
    if (!link.configured) {
      if (job.last_error !== 'no printer configured') this.changed(queue.noteUnreachable(job.id, 'no printer configured'));
      this.deps.onStatus(null, 'not_configured', null);
      return 'idle';
    }
    try {
      const next = await link.use((connection) => this.send(job, connection));
      this.backoffMs = 250;
      return next;
    } catch (error) {
      const message = (error as Error).message;
      this.deps.onStatus(null, 'unreachable', message);
      const current = queue.require(job.id);
      // A link that broke while the job was on its way: it may have printed in part. A person decides.
      if (current.state === 'sending') this.changed(queue.markHeld(job.id, 'interrupted', false, message));
      else if (current.state === 'held' && current.held_reason === 'interrupted') {
        // Already waiting for a person.
      } else if (current.state === 'held' && current.delivered === 1) {
        // Its bytes sat in the printer's buffer: a printer that went away (switched off to load
        // paper) lost them. Calling it printed when the link is back would be a guess; a person decides.
        this.changed(queue.markHeld(job.id, 'interrupted', true, message));
      } else if (current.state === 'held') {
        if (current.held_reason !== 'unreachable' || current.last_error !== message)
          this.changed(queue.markHeld(job.id, 'unreachable', false, message));
      } else if (current.last_error !== message) this.changed(queue.noteUnreachable(job.id, message));
      const wait = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.deps.maxBackoffMs);
      return { wait };
    }
  }

  private hold(job: JobRow, reason: PrintHoldReason, delivered: boolean): Next {
    if (job.state !== 'held' || job.held_reason !== reason || (job.delivered === 1) !== delivered)
      this.changed(this.deps.queue.markHeld(job.id, reason, delivered));
    return { wait: this.deps.heldPollMs };
  }

  private async send(picked: JobRow, connection: PrinterConnection): Promise<Next> {
    const { queue } = this.deps;
    const before = await readRealtimeStatus(connection);
    const problem = before ? problemOf(before) : null;
    this.deps.onStatus(before, problem, null);
    // A person may have cancelled (or retried) the job while the printer was being asked: act on
    // the job as it is now, never on the row read before the wait.
    const job = queue.get(picked.id);
    if (!job || job.state !== picked.state || job.held_reason !== picked.held_reason || job.delivered !== picked.delivered)
      return { wait: 0 };
    if (job.delivered === 1) {
      // Sent before the printer stopped: it prints from its buffer once the problem is gone.
      if (problem) return this.hold(job, problem, true);
      this.changed(queue.markDone(job.id));
      return { wait: 0 };
    }
    if (problem) return this.hold(job, problem, false);
    let rendered: RenderedReceipt;
    try {
      rendered = this.deps.render(job);
    } catch (error) {
      this.changed(queue.markFailed(job.id, `could not render the receipt: ${(error as Error).message}`));
      return { wait: 0 };
    }
    this.changed(queue.markSending(job.id));
    await connection.write(rendered.bytes);
    if (!connection.bidirectional) {
      this.changed(queue.markDone(job.id));
      return { wait: 0 };
    }
    const after = await statusAfterSend(connection).catch((error: unknown) => {
      // Delivered, but the printer went silent: whether it printed is unknown — a person decides.
      this.changed(queue.markHeld(job.id, 'interrupted', true, `no status after sending: ${(error as Error).message}`));
      throw error;
    });
    const problemAfter = after ? problemOf(after) : null;
    this.deps.onStatus(after, problemAfter, null);
    if (problemAfter) return this.hold(queue.require(job.id), problemAfter, true);
    this.changed(queue.markDone(job.id));
    return { wait: 0 };
  }
}

/**
 * A printer busy taking in a long (raster) job can be slow to answer its first status query;
 * asking again before calling the job `interrupted` keeps a printed receipt from being held.
 */
async function statusAfterSend(connection: PrinterConnection, attempts = 3): Promise<RealtimeStatus | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readRealtimeStatus(connection);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof PrinterTimeoutError)) throw error;
    }
  }
}
