import { EventEmitter } from 'node:events';
import type { SerialPortStream } from '@serialport/stream';
import { serialPort } from '../serial-port.js';
import { ScanLineFramer } from './scan-line-framer.js';
import type { FramerError, FramerOutput, ScanTerminatorName } from './scan-line-framer.js';

export type SerialScannerOptions = {
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
  /** First and longest wait between reopen attempts after an unplug. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
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
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private stopped = false;
  connected = false;

  constructor(private readonly options: SerialScannerOptions) {
    super();
    this.framer = new ScanLineFramer(options.terminator, options.maxLength);
    this.retryMs = options.reconnectMinMs ?? 250;
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
      this.retryMs = this.options.reconnectMinMs ?? 250;
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
    if (this.stopped || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.reconnectMaxMs ?? 5000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, wait);
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
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.retryTimer = this.idleTimer = undefined;
    const port = this.port;
    this.port = undefined;
    this.connected = false;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
