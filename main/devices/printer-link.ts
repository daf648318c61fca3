import type { PrinterConnection as PrinterConnectionProfile } from '../api/contract.js';
import type { PrinterConnection } from '../../native/printer/printer-connection.js';

export type OpenPrinter = (profile: PrinterConnectionProfile) => Promise<PrinterConnection>;

/**
 * The one link to the receipt printer, shared by the print worker, status checks and drawer
 * kicks. Uses are serialised — a status query in the middle of a receipt would read a byte meant
 * for another question — and the link is opened on demand and released when idle, because many
 * network printers take one TCP client at a time and the other tills need their turn.
 */
export class PrinterLink {
  private connection: PrinterConnection | undefined;
  private target: PrinterConnectionProfile | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly open: OpenPrinter) {}

  get configured(): PrinterConnectionProfile | null {
    return this.target;
  }

  /** A new printer (or none): the old link is closed before the next use. */
  setTarget(target: PrinterConnectionProfile | null): void {
    if (JSON.stringify(target) === JSON.stringify(this.target)) return;
    this.target = target;
    void this.exclusiveRaw(async () => this.drop());
  }

  /** Runs `use` with the open link, after every earlier use finished; opening failures reject (PrinterLinkError). */
  use<T>(use: (connection: PrinterConnection) => Promise<T>): Promise<T> {
    return this.exclusiveRaw(async () => {
      const target = this.target;
      if (!target) throw new Error('no printer configured');
      if (!this.connection?.open) {
        await this.drop();
        this.connection = await this.open(target);
      }
      try {
        return await use(this.connection);
      } catch (error) {
        // A link that failed mid-use is not trusted for the next one.
        await this.drop();
        throw error;
      }
    });
  }

  /** Closes the link after the current use (next use reopens it). */
  release(): Promise<void> {
    return this.exclusiveRaw(() => this.drop());
  }

  private exclusiveRaw<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async drop(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    if (c) await c.close().catch(() => undefined);
  }
}
