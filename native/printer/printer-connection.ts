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
   * Writes `query` and resolves with the next `length` bytes the printer sends back. Rejects with
   * PrinterTimeoutError when they do not arrive within `timeoutMs`, and at once on a write-only link.
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

type Waiter = { length: number; resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/**
 * The answer side of a bidirectional link: collects what the printer sends and hands it to the
 * one pending request. Bytes that arrive with no request pending (e.g. automatic status back)
 * are dropped, so a late answer never satisfies the next question.
 */
export class AnswerBuffer {
  private buffer: number[] = [];
  private waiter: Waiter | undefined;

  push(chunk: Uint8Array): void {
    if (!this.waiter) return;
    for (const b of chunk) this.buffer.push(b);
    this.settle();
  }

  /** Waits for `length` bytes; only one request at a time (callers serialise). */
  next(length: number, timeoutMs: number, what: string): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('a printer request is already pending'));
    this.buffer = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new PrinterTimeoutError(what));
      }, timeoutMs);
      this.waiter = { length, resolve, reject, timer };
    });
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
    const answer = this.next(length, timeoutMs, what);
    write(query).catch((error: unknown) => this.fail(error as Error));
    return answer;
  }

  fail(error: Error): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.reject(error);
  }

  private settle(): void {
    const w = this.waiter;
    if (!w || this.buffer.length < w.length) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    const answer = Uint8Array.from(this.buffer.slice(0, w.length));
    this.buffer = [];
    w.resolve(answer);
  }
}
