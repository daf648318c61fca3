import { isStatusByte } from './printer-status.js';

/**
 * A link to a receipt printer. One interface for raw TCP (port 9100), serial and the USB printer
 * class device file, so the print queue does not care which one a store has.
 */
export type PrinterConnection = {
  readonly kind: 'tcp' | 'serial' | 'usb';
  /** The link carries the printer's answers (TCP, serial). USB `/dev/usb/lp*` is written to only. */
  readonly bidirectional: boolean;
  /** Resolves once the bytes are handed to the OS; rejects when the link broke. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Writes the real-time status `query` and resolves with its `length` answer bytes. Bytes that
   * cannot be a status answer are skipped, and the late answer to an earlier question that timed
   * out is not taken for this one's. Rejects with PrinterTimeoutError when the answer does not
   * arrive within `timeoutMs`, and at once on a write-only link.
   */
  request(query: Uint8Array, length: number, timeoutMs: number): Promise<Uint8Array>;
  /** True until the link broke or was closed. */
  readonly open: boolean;
  close(): Promise<void>;
};

export class PrinterTimeoutError extends Error {
  constructor(what: string) {
    super(`the printer did not answer ${what} in time`);
    this.name = 'PrinterTimeoutError';
  }
}

/** Thrown when a connection cannot be opened or broke; `message` is for IT (`ECONNREFUSED 127.0.0.1:9100`). */
export class PrinterLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrinterLinkError';
  }
}

type Waiter = { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/** A question the printer was asked; the printer answers its real-time questions one by one, in order. */
type Question = { length: number; got: number[]; waiter: Waiter | undefined };

/**
 * The answer side of a bidirectional link: matches what the printer sends to the questions it was
 * asked. Real-time status answers come back in the order asked, so answer bytes go to the oldest
 * question still unanswered — also to one that timed out: its late answer is consumed and
 * discarded, never read as the answer to the next question. Bytes that cannot be a status answer
 * (`isStatusByte`: XON/XOFF, automatic status back blocks, line noise) are skipped, and bytes that
 * arrive with no question open are dropped.
 */
export class AnswerBuffer {
  private questions: Question[] = [];
  /** Set when a question timed out behind one that was never answered: see `next`. */
  private outOfStep = false;

  /** The link started owing answers to an earlier link's questions (see the constructor). */
  private readonly inherited: boolean;

  /** `owed`: answer bytes still owed to questions asked on an earlier link over the same line. */
  constructor(owed = 0) {
    for (let i = 0; i < owed; i++) this.questions.push({ length: 1, got: [], waiter: undefined });
    this.inherited = owed > 0;
  }

  /**
   * Answer bytes the printer still owes (questions that timed out or are open); 0 once the link
   * is out of step — then nobody knows, and a new link starts clean rather than wait forever.
   */
  owed(): number {
    if (this.outOfStep) return 0;
    return this.questions.reduce((n, q) => n + q.length - q.got.length, 0);
  }

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (!isStatusByte(byte)) continue;
      const q = this.questions[0];
      if (!q) continue;
      q.got.push(byte);
      if (q.got.length < q.length) continue;
      this.questions.shift();
      if (q.waiter) {
        clearTimeout(q.waiter.timer);
        q.waiter.resolve(Uint8Array.from(q.got));
      }
    }
  }

  /** Waits for `length` answer bytes; only one live request at a time (callers serialise). */
  next(length: number, timeoutMs: number, what: string): Promise<Uint8Array> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const q: Question = { length, got: [], waiter: undefined };
    this.questions.push(q);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Stays in line: the printer may still answer, and that answer is this question's.
        q.waiter = undefined;
        // An earlier question is still unanswered too: the printer may have lost one, and then
        // every later answer would be read for the wrong question. Only a new link is trusted.
        // The same when the link inherited owed answers: one of them may have eaten this answer.
        if (this.inherited || this.questions.indexOf(q) > 0) this.outOfStep = true;
        reject(new PrinterTimeoutError(what));
      }, timeoutMs);
      q.waiter = { resolve, reject, timer };
    });
  }

  /** Why no question may be asked now, if so. */
  private refusal(): Error | undefined {
    if (this.outOfStep) return new PrinterLinkError("the printer's answers are out of step with its questions: reconnect");
    if (this.questions.some((q) => q.waiter)) return new Error('a printer request is already pending');
    return undefined;
  }

  /**
   * `PrinterConnection.request` for a link that writes with `write`: waits for the answer before
   * the query goes out (so a fast answer is not missed), and fails it at once if the write fails.
   */
  ask(
    write: (bytes: Uint8Array) => Promise<void>,
    query: Uint8Array,
    length: number,
    timeoutMs: number,
    what = 'a status query',
  ): Promise<Uint8Array> {
    // A refused question is not sent: its answer would be one nobody waits for.
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const answer = this.next(length, timeoutMs, what);
    write(query).catch((error: unknown) => this.fail(error as Error));
    return answer;
  }

  /** The link broke: the open request fails with `error`, and no answer is expected any more. */
  fail(error: Error): void {
    const questions = this.questions;
    this.questions = [];
    this.outOfStep = true;
    for (const q of questions) {
      if (!q.waiter) continue;
      clearTimeout(q.waiter.timer);
      q.waiter.reject(error);
    }
  }
}
