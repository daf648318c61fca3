import { EventEmitter } from 'node:events';
import type { SerialPortStream } from '@serialport/stream';
import { serialPort } from '../serial-port.js';
import { ScanLineFramer } from './scan-line-framer.js';
import type { FramerError, FramerOutput, ScanTerminatorName } from './scan-line-framer.js';
import { Reopener } from './reopen.js';
import type { ReopenOptions } from './reopen.js';

export type SerialScannerOptions = ReopenOptions & {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
  terminator: ScanTerminatorName;
  /** Longer lines are rejected (`overlong`). */
  maxLength: number;
  /** Silence after which an unterminated line is flushed as a scan; 0: it is dropped as `partial` after `partialDropMs`. */
  idleFlushMs: number;
  partialDropMs?: number;
};

export type ScannerErrorKind = FramerError['kind'] | 'io';

/** What a scanner driver reports. Serial and HID drivers emit the same events. */
export type ScannerDriverEvents = {
  /** A complete scan, as the scanner sent it (terminator removed). */
  scan: [string];
  /** Something on the line that was not a scan; counted, never thrown (not named `error`: an unheard `error` event would throw). */
  problem: [{ kind: ScannerErrorKind; detail: string }];
  connected: [];
  disconnected: [string];
};

/**
 * A serial (RS-232 / USB-CDC) barcode scanner. Opens the port from the profile, frames scans by
 * the terminator, rejects garbage/over-long/partial lines as counted errors, and when the port
 * goes away (unplugged) keeps trying to reopen it with a growing backoff until it is back.
 */
export class SerialScanner extends EventEmitter<ScannerDriverEvents> {
  private port: SerialPortStream | undefined;
  private framer: ScanLineFramer;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly reopen: Reopener;
  private stopped = false;
  connected = false;

  constructor(private readonly options: SerialScannerOptions) {
    super();
    this.framer = new ScanLineFramer(options.terminator, options.maxLength);
    this.reopen = new Reopener(options, () => this.open());
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const { path, baudRate, dataBits, parity, stopBits } = this.options;
    const port = serialPort({ path, baudRate, dataBits, parity, stopBits });
    port.open((error) => {
      if (this.stopped) {
        if (!error) port.close();
        return;
      }
      if (error) {
        this.emit('problem', { kind: 'io', detail: `${path}: ${error.message}` });
        this.scheduleReopen();
        return;
      }
      this.port = port;
      this.connected = true;
      this.reopen.opened();
      this.framer = new ScanLineFramer(this.options.terminator, this.options.maxLength);
      this.emit('connected');
    });
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', (error: Error) => this.emit('problem', { kind: 'io', detail: `${path}: ${error.message}` }));
    port.on('close', () => {
      if (this.port !== port) return;
      this.port = undefined;
      this.connected = false;
      this.deliver(this.framer.flush(false));
      this.emit('disconnected', `${path} closed`);
      this.scheduleReopen();
    });
  }

  private scheduleReopen(): void {
    if (!this.stopped) this.reopen.schedule();
  }

  private onData(chunk: Buffer): void {
    this.deliver(this.framer.push(chunk));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.framer.hasPartial) {
      const flush = this.options.idleFlushMs > 0;
      this.idleTimer = setTimeout(
        () => {
          this.idleTimer = undefined;
          this.deliver(this.framer.flush(flush));
        },
        flush ? this.options.idleFlushMs : (this.options.partialDropMs ?? 1000),
      );
    }
  }

  private deliver(out: FramerOutput): void {
    for (const e of out.errors) this.emit('problem', e);
    for (const s of out.scans) this.emit('scan', s);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reopen.cancel();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const port = this.port;
    this.port = undefined;
    this.connected = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
