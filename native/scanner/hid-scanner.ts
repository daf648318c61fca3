import { EventEmitter } from 'node:events';
import { aimIdentifierOf } from './aim.js';
import type { ScannerDriverEvents } from './serial-scanner.js';
import { Reopener } from './reopen.js';
import type { ReopenOptions } from './reopen.js';

/** HID usage page of point-of-sale devices; barcode scanners are usage 0x02 on it. */
export const HID_POS_USAGE_PAGE = 0x8c;

/**
 * What the HID driver needs from a device: node-hid's `HID` object fits (`new HID.HID(path)`),
 * and so does a test fake that replays recorded report bytes.
 */
export type HidDeviceLike = {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
};

/**
 * Decodes HID POS "Scanned Data Reports" (input report ID 0x02, 64 bytes — the layout of
 * Honeywell, Zebra and Datalogic scanners in HID POS mode):
 *
 *   byte 0      report ID 0x02
 *   byte 1      n: barcode bytes in this report (0–56)
 *   bytes 2–4   AIM symbology identifier, e.g. `]E0` (EAN-13), `]C1` (GS1-128), `]Q1` (QR)
 *   bytes 5…    n bytes of barcode data (GS 0x1d separates GS1 fields)
 *   byte 63     bit 0 set: more data follows in the next report (long codes)
 *
 * Reports with another ID (status, feature echoes) are ignored; a report whose length byte
 * cannot fit, or a scan that never ends, is a counted error, and the reports left of that scan
 * are skipped: its tail is not a scan of its own.
 */
export class HidPosReportParser {
  private data: number[] = [];
  private aim = '';
  /** A scan went wrong part-way: its remaining reports are skipped, up to the one that ends it. */
  private skipping = false;

  constructor(private readonly maxLength = 4096) {}

  /** Returns a complete scan (AIM id + data) or an error; null while a multi-report scan continues. */
  push(report: Uint8Array): { scan: { aimId: string; data: string } } | { error: string } | null {
    if (report[0] !== 0x02) return null;
    const more = report.length >= 64 && (report[63]! & 0x01) === 1;
    if (this.skipping) {
      // The tail of a scan already reported as broken is not a scan of its own.
      if (!more) this.skipping = false;
      return null;
    }
    if (report.length < 6) return this.fail(`short report (${report.length} bytes)`, more);
    const n = report[1]!;
    const room = Math.min(56, report.length - 5);
    if (n > room) return this.fail(`length byte ${n} does not fit a ${report.length}-byte report`, more);
    if (this.data.length === 0) this.aim = String.fromCharCode(report[2]!, report[3]!, report[4]!).replace(/\0/g, '');
    for (let i = 0; i < n; i++) this.data.push(report[5 + i]!);
    if (this.data.length > this.maxLength) return this.fail(`scan longer than ${this.maxLength} bytes`, more);
    if (more) return null;
    const bytes = Uint8Array.from(this.data);
    this.data = [];
    if (bytes.length === 0) return { error: 'empty scan' };
    for (const b of bytes) if ((b < 0x20 && b !== 0x1d) || b === 0x7f) return { error: 'non-printable bytes in a scan' };
    let data: string;
    try {
      data = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { error: 'scan is not valid text' };
    }
    return { scan: { aimId: this.aim, data } };
  }

  /** Drops the scan in progress; when more reports of it follow, they are skipped too. */
  private fail(error: string, more: boolean): { error: string } {
    this.data = [];
    this.skipping = more;
    return { error };
  }
}

/**
 * A USB-HID POS barcode scanner: the same `scan`/`problem` events as the serial driver. The
 * AIM identifier is put in front of GS1 codes (`]C1…`, `]d2…`, `]Q3…`, `]e0…`, `]J1…`; aim.ts) so
 * classification can tell GS1 element strings from plain text, as a keyboard-wedge scanner set to
 * send AIM ids does; other codes arrive as their data alone.
 */
export class HidScanner extends EventEmitter<ScannerDriverEvents> {
  private readonly parser = new HidPosReportParser();
  connected = true;

  constructor(private readonly device: HidDeviceLike) {
    super();
    device.on('data', (report) => {
      const out = this.parser.push(report);
      if (!out) return;
      if ('error' in out) this.emit('problem', { kind: 'garbage', detail: out.error });
      else this.emit('scan', aimIdentifierOf(out.scan.aimId)?.gs1 ? out.scan.aimId + out.scan.data : out.scan.data);
    });
    device.on('error', (error) => {
      this.connected = false;
      this.emit('problem', { kind: 'io', detail: error.message });
      this.emit('disconnected', error.message);
    });
  }

  stop(): void {
    this.connected = false;
    try {
      this.device.close();
    } catch {
      // Already gone (unplugged): nothing to release.
    }
  }
}

export type HidScannerDriverOptions = ReopenOptions & {
  /** Opens the scanner's HID POS interface now (node-hid: by vendor/product id); throws while it is not plugged in. */
  open: () => HidDeviceLike;
};

/**
 * A USB-HID POS scanner as the profile names it, kept open: like the serial driver, a scanner that
 * is unplugged (node-hid reports a read error and the handle is dead) or not plugged in yet is
 * opened again with a growing backoff until it is back, so a cashier who re-plugs it can scan on
 * without restarting the terminal. Each open device is read by a HidScanner.
 */
export class HidScannerDriver extends EventEmitter<ScannerDriverEvents> {
  private scanner: HidScanner | undefined;
  private readonly reopen: Reopener;
  private stopped = false;
  connected = false;

  constructor(private readonly options: HidScannerDriverOptions) {
    super();
    this.reopen = new Reopener(options, () => this.open());
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    let device: HidDeviceLike;
    try {
      device = this.options.open();
    } catch (error) {
      this.emit('problem', { kind: 'io', detail: (error as Error).message });
      this.scheduleReopen();
      return;
    }
    const scanner = new HidScanner(device);
    scanner.on('scan', (raw) => this.emit('scan', raw));
    scanner.on('problem', (p) => this.emit('problem', p));
    scanner.on('disconnected', (why) => {
      if (this.scanner !== scanner) return;
      this.scanner = undefined;
      this.connected = false;
      // The handle of a device that went away is dead: release it, and open the device anew when it is back.
      scanner.stop();
      this.emit('disconnected', why);
      this.scheduleReopen();
    });
    this.scanner = scanner;
    this.connected = true;
    this.reopen.opened();
    this.emit('connected');
  }

  private scheduleReopen(): void {
    if (!this.stopped) this.reopen.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.reopen.cancel();
    const scanner = this.scanner;
    this.scanner = undefined;
    this.connected = false;
    scanner?.stop();
  }
}
