import type {
  DeviceProfile,
  DevicesStatus,
  PrinterConnection as PrinterConnectionProfile,
  DrawerOpening,
  DrawerStatus,
  HidDeviceInfo,
  PrinterProblem,
  PrinterStatus,
  PrintJobView,
  ReceiptPreview,
  SerialPortInfo,
} from '../api/contract.js';
import type { TerminalContext } from '../core/context.js';
import { attempt } from '../core/peripherals.js';
import type { Deadline, DrawerReason } from '../core/peripherals.js';
import { AppError } from '../api/errors.js';
import { writeChange } from '../store/outbox.js';
import type { ChangeInput } from '../store/outbox.js';
import { openPrinter, readRealtimeStatus } from '../../native/printer/open-printer.js';
import { problemOf } from '../../native/printer/printer-status.js';
import type { RealtimeStatus } from '../../native/printer/printer-status.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { receiptPng, receiptSvg, renderEscPos } from '../../native/printer/render-receipt.js';
import { sampleForWarmUp, testPage } from './device-documents.js';
import { kickDrawer } from './drawer-kick.js';
import { PrinterLink } from './printer-link.js';
import type { OpenPrinter } from './printer-link.js';
import { jobView, PrintQueue } from './print-queue.js';
import type { JobRow } from './print-queue.js';
import { PrintWorker } from './print-worker.js';
import { readProfile, saveProfile } from './profile-store.js';
import { ScannerDrivers } from './scanner-drivers.js';
import type { OpenHid } from './scanner-drivers.js';

/** A printer the terminal runs itself when none is configured (browser host demos): see virtual-printer-option.ts. */
export type VirtualPrinterFactory = () => Promise<{ port: number; outDir: string | null; close: () => Promise<void> }>;

export type DevicesOptions = {
  openPrinter?: OpenPrinter;
  openHid?: OpenHid;
  listSerialPorts?: () => Promise<SerialPortInfo[]>;
  listHid?: () => Promise<HidDeviceInfo[]>;
  virtualPrinter?: VirtualPrinterFactory | null;
  /** How often held jobs re-check the printer (ms). */
  heldPollMs?: number;
  /** How often an idle printer's status is read, so the UI shows paper-out before a sale (ms; 0: never). */
  statusPollMs?: number;
  maxBackoffMs?: number;
  /** Store logo (base64 PNG), printed when the profile asks for it. */
  logoPng?: string;
  /** How long an "open drawer" with no deadline of its caller's may take before it is answered (ms). */
  drawerAnswerMs?: number;
  /** Hands a scan from a serial/HID scanner to main's scan pipeline (announceScan). */
  onScan?: (raw: string, source: 'serial' | 'hid') => void;
};

/** An "open drawer" with no deadline of its caller's is answered within this (ms): the screen's requests give up at 30 s. */
export const DRAWER_ANSWER_MS = 10_000;

/** How often a drawer opening the store was too busy to take is tried again (ms). */
const LOG_RETRY_MS = 1_000;

const noPrinter = (): PrinterStatus => ({
  configured: false,
  simulated: false,
  connection: null,
  reachable: false,
  online: null,
  coverOpen: null,
  paperEnd: null,
  paperNearEnd: null,
  problem: 'not_configured',
  lastError: null,
  checkedAt: null,
});

/**
 * The terminal's peripherals: the profile, the print queue and its worker, the printer link,
 * the drawer, and the serial/HID scanners. Emits `devices.status` and `devices.job`.
 */
export class DevicesService {
  readonly queue: PrintQueue;
  private readonly link: PrinterLink;
  private readonly worker: PrintWorker;
  private readonly scanners: ScannerDrivers;
  private current: DeviceProfile;
  private printer: PrinterStatus = noPrinter();
  private drawer: DrawerStatus = { configured: false, open: null, lastOpenedAt: null };
  private virtual: { port: number; outDir: string | null; close: () => Promise<void> } | undefined;
  private lastAnnounced = '';
  private closed = false;
  /** Drawer openings the store did not take yet (busy): written as soon as it does (logOpenings). */
  private readonly unlogged: ChangeInput<'device.drawer_opened'>[] = [];
  private logRetry: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  /** The profile being applied: the next application waits for it (see applyProfile). */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: TerminalContext,
    private readonly options: DevicesOptions = {},
  ) {
    this.queue = new PrintQueue(ctx.outbox);
    this.link = new PrinterLink(options.openPrinter ?? ((c) => openPrinter(c)));
    this.current = readProfile(ctx.outbox);
    this.worker = new PrintWorker({
      queue: this.queue,
      link: this.link,
      render: (job) => this.render(job),
      onStatus: (status, problem, error) => this.notePrinter(status, problem, error),
      onJob: (row) => this.announceJob(row),
      log: ctx.log,
      heldPollMs: options.heldPollMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
    });
    this.scanners = new ScannerDrivers({
      onScan: (raw, source) => options.onScan?.(raw, source),
      onChange: () => this.announceStatus(),
      openHid:
        options.openHid ??
        (() => {
          throw new Error('USB-HID is not available on this terminal');
        }),
      log: ctx.log,
    });
    // What the profile says before start(): starting a terminal with nothing changed announces nothing.
    this.describeProfile();
    this.lastAnnounced = this.statusKey();
  }

  /** Recovers the queue after a restart, starts the drivers and the worker. */
  async start(): Promise<void> {
    for (const row of this.queue.recoverAfterRestart()) {
      this.ctx.log('print job interrupted by a restart: held for a person to confirm', { id: row.id });
      this.announceJob(row);
    }
    // The terminal may close while the drivers (or the virtual printer) are still starting: then
    // whatever did start is released here, and an error from touching the closed store is moot.
    await this.applyProfile().catch((error: unknown) => {
      if (!this.closed) throw error;
    });
    if (this.closed) {
      await this.scanners.stopAll();
      await this.virtual?.close();
      return;
    }
    this.worker.start();
    const every = this.options.statusPollMs ?? 5000;
    if (every > 0) this.poller = setInterval(() => void this.pollIdleStatus(), every).unref();
  }

  /** Reads the status of an idle printer and lets go of the link (other tills may share the printer). */
  private async pollIdleStatus(): Promise<void> {
    if (this.closed || this.polling || !this.link.configured) return;
    // While jobs wait for the printer, the worker reads the status itself.
    if (this.queue.next()) return;
    this.polling = true;
    try {
      await this.refreshStatus();
      await this.link.release();
    } catch (error) {
      this.ctx.log('printer status poll failed', error);
    } finally {
      this.polling = false;
    }
  }

  profile(): DeviceProfile {
    return this.current;
  }

  async saveProfile(profile: DeviceProfile, staffId: string | null): Promise<DeviceProfile> {
    this.current = saveProfile(this.ctx.outbox, profile, staffId);
    this.ctx.announceSync();
    await this.applyProfile();
    this.worker.wake();
    return this.current;
  }

  /** The status a profile implies before anything was asked of the hardware. */
  private describeProfile(): void {
    const p = this.current;
    this.printer = p.printer ? { ...noPrinter(), configured: true, connection: p.printer.connection.kind, problem: null } : noPrinter();
    this.drawer = { configured: p.drawer.kind !== 'none', open: null, lastOpenedAt: this.drawer.lastOpenedAt };
  }

  private statusKey(): string {
    const status = this.status();
    return JSON.stringify({ ...status, printer: { ...status.printer, checkedAt: null } });
  }

  /**
   * Applies the current profile, after any application still under way. Applying stops the old
   * drivers and starts new ones across awaits: two at once (a Save tapped twice, a save while the
   * terminal starts) each stopped the drivers they saw and started their own, and the first set
   * was never stopped — it kept the serial port locked, so the scanner showed disconnected for good.
   */
  private applyProfile(): Promise<void> {
    const run = this.applying.then(() => this.applyProfileNow());
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyProfileNow(): Promise<void> {
    const p = this.current;
    this.describeProfile();
    if (p.printer) {
      this.retarget(p.printer.connection);
    } else if (this.options.virtualPrinter) {
      if (!this.virtual) {
        this.virtual = await this.options.virtualPrinter();
        if (this.closed) return;
        this.ctx.log(
          `no printer configured: printing to the virtual printer on 127.0.0.1:${this.virtual.port}${this.virtual.outDir ? `, receipts in ${this.virtual.outDir}` : ''}`,
        );
      }
      this.retarget({ kind: 'tcp', host: '127.0.0.1', port: this.virtual.port });
      this.printer = { ...noPrinter(), configured: true, simulated: true, connection: 'tcp', problem: null };
    } else {
      this.retarget(null);
    }
    await this.scanners.apply(p.scanners);
    if (this.closed) {
      // close() ran while the drivers were starting: it found none to stop, so they stop here.
      await this.scanners.stopAll();
      return;
    }
    this.announceStatus();
    if (p.printer?.mode === 'raster') this.warmRaster();
  }

  /** Points the link at another printer; jobs delivered to the old one and held there wait for a person. */
  private retarget(target: PrinterConnectionProfile | null): void {
    const before = this.link.configured;
    this.link.setTarget(target);
    if (before === null || this.link.configured === before) return;
    for (const row of this.queue.interruptDelivered('the printer was changed while this job waited in the old one')) this.announceJob(row);
  }

  /**
   * The first raster receipt of a process draws every glyph it has not seen (about a second for a
   * Chinese receipt, see svg-outline.ts); a test page rendered in the background right away moves
   * that cost off the first sale.
   */
  private warmRaster(): void {
    setTimeout(() => {
      if (this.closed) return;
      try {
        renderEscPos(sampleForWarmUp(), { mode: 'raster', paperMm: this.format().paperMm });
      } catch (error) {
        this.ctx.log('raster warm-up failed', error);
      }
    }, 0).unref();
  }

  private format(): { mode: 'text-gb18030' | 'raster'; paperMm: 58 | 80; logoPng?: string } {
    const p = this.current.printer;
    const base = { mode: p?.mode ?? 'text-gb18030', paperMm: p?.paperMm ?? 80 } as const;
    return p?.logo && this.options.logoPng ? { ...base, logoPng: this.options.logoPng } : base;
  }

  private render(job: JobRow) {
    const drawer = this.current.drawer;
    const kick = job.kick_drawer === 1 && drawer.kind === 'printer' ? { kickDrawer: drawer.pulse } : {};
    return renderEscPos(this.queue.document(job), { ...this.format(), ...kick });
  }

  // ---- status -------------------------------------------------------------------------------

  private notePrinter(status: RealtimeStatus | null, problem: PrinterProblem | null, error: string | null): void {
    const reachable = problem !== 'unreachable' && problem !== 'not_configured';
    this.printer = {
      ...this.printer,
      reachable,
      online: status?.online ?? null,
      coverOpen: status?.coverOpen ?? null,
      paperEnd: status?.paperEnd ?? null,
      paperNearEnd: status?.paperNearEnd ?? null,
      problem,
      lastError: error ?? (reachable ? null : this.printer.lastError),
      checkedAt: this.ctx.clock().toISOString(),
    };
    if (status && this.current.drawer.kind === 'printer') this.drawer = { ...this.drawer, open: status.drawerOpen };
    this.announceStatus();
  }

  status(): DevicesStatus {
    return { printer: { ...this.printer }, drawer: { ...this.drawer }, scanners: this.scanners.statuses(), queue: this.queue.summary() };
  }

  /** Asks the printer now (used by the Devices screen's refresh). */
  async refreshStatus(): Promise<DevicesStatus> {
    if (this.link.configured) {
      try {
        const status = await this.link.use((c) => readRealtimeStatus(c));
        this.notePrinter(status, status ? problemOf(status) : null, null);
      } catch (error) {
        this.notePrinter(null, 'unreachable', (error as Error).message);
      }
      this.worker.wake();
    }
    return this.status();
  }

  /** Emits `devices.status` when something the UI shows changed (not for a mere re-check). */
  private announceStatus(): void {
    const key = this.statusKey();
    if (key === this.lastAnnounced) return;
    this.lastAnnounced = key;
    this.ctx.events.emit('devices.status', this.status());
  }

  private announceJob(row: JobRow): void {
    this.ctx.events.emit('devices.job', jobView(row));
    this.announceStatus();
  }

  // ---- printing -----------------------------------------------------------------------------

  /** Queues a receipt; answers at once (the worker prints it). `kickDrawer` appends the drawer pulse (cash tenders). */
  printReceipt(doc: ReceiptDocument, options: { kickDrawer?: boolean } = {}): PrintJobView {
    // Accepting a job no printer will ever print would tell the cashier "printed" for nothing.
    if (!this.link.configured) throw new AppError('DEVICE_NOT_CONFIGURED', 'No receipt printer is set up on this terminal');
    const row = this.queue.enqueue(doc, options);
    this.announceJob(row);
    this.worker.wake();
    return jobView(row);
  }

  testPrint(): PrintJobView {
    const p = this.current.printer;
    const connection = p ? p.connection.kind : this.printer.simulated ? 'virtual' : 'none';
    return this.printReceipt(testPage(this.ctx.store(), p, connection, this.ctx.clock()));
  }

  jobs(limit: number): PrintJobView[] {
    return this.queue.list(limit);
  }

  retryJob(id: string, staffId: string | null): PrintJobView {
    const row = this.queue.retry(id, staffId);
    this.ctx.announceSync();
    this.announceJob(row);
    this.worker.wake();
    return jobView(row);
  }

  cancelJob(id: string, staffId: string | null): PrintJobView {
    const row = this.queue.cancel(id, staffId);
    this.ctx.announceSync();
    this.announceJob(row);
    this.worker.wake();
    return jobView(row);
  }

  reprint(id: string, staffId: string | null): PrintJobView {
    const row = this.queue.reprint(id, staffId);
    this.ctx.announceSync();
    this.announceJob(row);
    this.worker.wake();
    return jobView(row);
  }

  preview(ref: { jobId?: string | undefined; receiptNo?: string | undefined }, png: boolean): ReceiptPreview {
    const row = ref.jobId ? this.queue.require(ref.jobId) : this.queue.latestFor(ref.receiptNo ?? '');
    const id = row.id;
    const doc = this.queue.document(row);
    const format = this.format();
    return {
      jobId: id,
      svg: receiptSvg(doc, format),
      png: png ? `data:image/png;base64,${receiptPng(doc, format).toString('base64')}` : null,
      paperMm: format.paperMm,
    };
  }

  // ---- drawer -------------------------------------------------------------------------------

  /**
   * Kicks the drawer and logs who opened it and why (`device.drawer_opened`, through the outbox).
   * Only a kick the hardware accepted is logged as an opening. A caller that reports on its own
   * time limit (a sale, a cash movement: `attempt`) passes its `deadline`. Without one (the device
   * screen's no-sale), the kick gets the service's own, shorter than the screen's 30 s request
   * timeout: the printer link may be busy with a long receipt for longer than that, and an answer
   * that never comes, followed by a drawer springing open, is what must not happen. The answer is
   * then true: opened, DEVICE_UNAVAILABLE (not opened, and never opens later), or `uncertain`.
   */
  async openDrawer(reason: DrawerReason, deadline?: Deadline): Promise<DrawerOpening> {
    if (deadline) return this.kickAndLog(reason, deadline);
    const ms = this.options.drawerAnswerMs ?? DRAWER_ANSWER_MS;
    let opened: DrawerStatus | undefined;
    let failure: unknown;
    const result = await attempt(async (own) => {
      try {
        opened = await this.kickAndLog(reason, own);
      } catch (error) {
        failure = error;
        throw error;
      }
    }, ms);
    if (result.sent && opened) return opened;
    if (result.uncertain) return { ...this.drawer, uncertain: true };
    if (failure instanceof AppError) throw failure;
    if (failure) throw new AppError('DEVICE_UNAVAILABLE', `The drawer did not open: ${result.error ?? String(failure)}`);
    throw new AppError(
      'DEVICE_UNAVAILABLE',
      `The drawer did not open: the printer did not answer within ${ms / 1000} s (busy or slow); it will not open later from this request`,
    );
  }

  private async kickAndLog(reason: DrawerReason, deadline: Deadline): Promise<DrawerStatus> {
    const drawer = this.current.drawer;
    if (drawer.kind === 'none') throw new AppError('DEVICE_NOT_CONFIGURED', 'No cash drawer is set up on this terminal');
    await kickDrawer(drawer, this.link, (status, problem) => this.notePrinter(status, problem, null), deadline);
    const at = this.ctx.clock().toISOString();
    // The drawer is open whatever the store says now: that is the answer, and the opening is logged
    // as soon as the store takes it (another till's long write may hold it longer than we wait).
    this.unlogged.push({
      type: 'device.drawer_opened',
      payload: { reason: reason.kind, note: reason.note ?? null, via: drawer.kind, at, approvedBy: reason.approvedBy ?? null },
      staffId: reason.staffId,
    });
    this.logOpenings();
    this.drawer = { ...this.drawer, lastOpenedAt: at, open: drawer.kind === 'printer' ? this.drawer.open : null };
    this.announceStatus();
    return { ...this.drawer };
  }

  /** Writes the drawer openings not logged yet; while the store refuses, tries again every second. */
  private logOpenings(): void {
    clearTimeout(this.logRetry);
    this.logRetry = undefined;
    while (this.unlogged.length > 0) {
      try {
        writeChange(this.ctx.outbox, this.unlogged[0]!, () => undefined);
      } catch (error) {
        this.ctx.log(
          'drawer opening not logged yet (the store is busy); trying again',
          error instanceof Error ? error.message : String(error),
        );
        if (!this.closed) this.logRetry = setTimeout(() => this.logOpenings(), LOG_RETRY_MS).unref();
        return;
      }
      this.unlogged.shift();
      this.ctx.announceSync();
    }
  }

  // ---- discovery ----------------------------------------------------------------------------

  listSerialPorts(): Promise<SerialPortInfo[]> {
    return this.options.listSerialPorts ? this.options.listSerialPorts() : Promise.resolve([]);
  }

  listHid(): Promise<HidDeviceInfo[]> {
    return this.options.listHid ? this.options.listHid() : Promise.resolve([]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    // A last try for openings the store was too busy to take.
    this.logOpenings();
    clearTimeout(this.logRetry);
    await this.worker.stop();
    await this.scanners.stopAll();
    await this.link.release();
    await this.virtual?.close();
  }
}
