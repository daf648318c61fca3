/**
 * Peripherals: the store's peripheral profile (scanners, receipt printer, cash drawer), their
 * live status, the persistent print queue and receipt previews. Shared with the renderer as a
 * type-only import: zod and plain types only.
 */
import { z } from 'zod';
import { empty, method } from '../define.js';

/** A serial line's settings, as the device's manual gives them. */
export const serialLineSchema = z
  .object({
    /** `/dev/ttyUSB0`, `/dev/ttyACM0`, `COM3` … */
    path: z.string().trim().min(1).max(256),
    baudRate: z.number().int().min(300).max(921_600),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]),
  })
  .strict();
export type SerialLine = z.infer<typeof serialLineSchema>;

/** What ends one scan on a serial scanner's line. */
export const scanTerminatorSchema = z.enum(['CR', 'LF', 'CRLF', 'TAB', 'ETX']);
export type ScanTerminator = z.infer<typeof scanTerminatorSchema>;

/** A scanner with its own driver (keyboard-wedge scanners need no profile: their thresholds live in settings.wedge). */
export const scannerProfileSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('serial'),
      /** Stable id chosen by the UI (e.g. `scanner-1`); status and errors are reported under it. */
      id: z.string().trim().min(1).max(64),
      enabled: z.boolean(),
      line: serialLineSchema,
      terminator: scanTerminatorSchema,
      /** Longer lines are rejected (counted as `overlong`). */
      maxLength: z.number().int().min(8).max(4096).default(256),
      /** A line with no terminator is flushed as a scan after this much silence (0: never; it is then dropped as `partial`). */
      idleFlushMs: z.number().int().min(0).max(5000).default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('hid'),
      id: z.string().trim().min(1).max(64),
      enabled: z.boolean(),
      vendorId: z.number().int().min(0).max(0xffff),
      productId: z.number().int().min(0).max(0xffff),
    })
    .strict(),
]);
export type ScannerProfile = z.infer<typeof scannerProfileSchema>;

/** How the terminal reaches the receipt printer. */
export const printerConnectionSchema = z.discriminatedUnion('kind', [
  /** Raw TCP ("JetDirect"), usually port 9100. Bidirectional: status is read back. */
  z.object({ kind: z.literal('tcp'), host: z.string().trim().min(1).max(255), port: z.number().int().min(1).max(65_535) }).strict(),
  /** RS-232 / USB-CDC. Bidirectional. */
  z.object({ kind: z.literal('serial'), line: serialLineSchema }).strict(),
  /** USB printer class device file (`/dev/usb/lp0`). Written to only: no status. */
  z.object({ kind: z.literal('usb'), path: z.string().trim().min(1).max(256) }).strict(),
]);
export type PrinterConnection = z.infer<typeof printerConnectionSchema>;

export const printerProfileSchema = z
  .object({
    connection: printerConnectionSchema,
    /** `text-gb18030`: the printer has a Chinese font. `raster`: everything is printed as an image (GS v 0). */
    mode: z.enum(['text-gb18030', 'raster']),
    paperMm: z.union([z.literal(58), z.literal(80)]),
    /** Print the store logo at the top (raster mode and previews). */
    logo: z.boolean().default(false),
  })
  .strict();
export type PrinterProfile = z.infer<typeof printerProfileSchema>;

/** The drawer kick pulse: `ESC p pin on off` (times in ms, sent as units of 2 ms). */
export const drawerPulseSchema = z
  .object({
    /** 0: connector pin 2, 1: pin 5. */
    pin: z.union([z.literal(0), z.literal(1)]),
    onMs: z.number().int().min(2).max(510),
    offMs: z.number().int().min(2).max(510),
  })
  .strict();
export type DrawerPulse = z.infer<typeof drawerPulseSchema>;

export const drawerProfileSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  /** Kicked through the printer's drawer port. */
  z.object({ kind: z.literal('printer'), pulse: drawerPulseSchema }).strict(),
  /** A drawer with its own serial interface: the same ESC p pulse is written to its line. */
  z.object({ kind: z.literal('serial'), line: serialLineSchema, pulse: drawerPulseSchema }).strict(),
]);
export type DrawerProfile = z.infer<typeof drawerProfileSchema>;

/** The store's peripheral profile (later pushed by HQ per store; kept locally now). */
export const deviceProfileSchema = z
  .object({
    scanners: z.array(scannerProfileSchema).max(8),
    /** null: no printer configured (the browser host then uses its virtual printer, see `DevicesStatus.printer.simulated`). */
    printer: printerProfileSchema.nullable(),
    drawer: drawerProfileSchema,
  })
  .strict();
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;

/** Why the printer cannot print right now; null when it can. */
export type PrinterProblem = 'not_configured' | 'unreachable' | 'offline' | 'cover_open' | 'paper_end';

export type PrinterStatus = {
  configured: boolean;
  /** True when the printer in use is the built-in virtual printer (no printer configured, demo/development). */
  simulated: boolean;
  connection: PrinterConnection['kind'] | null;
  /** The link could be opened and (where it answers) the printer answered. */
  reachable: boolean;
  /** From the DLE EOT real-time status; null where the link cannot report it (USB write-only, unreachable). */
  online: boolean | null;
  coverOpen: boolean | null;
  paperEnd: boolean | null;
  paperNearEnd: boolean | null;
  problem: PrinterProblem | null;
  /** Last low-level error (e.g. `ECONNREFUSED 127.0.0.1:9100`), for IT. */
  lastError: string | null;
  checkedAt: string | null;
};

export type DrawerStatus = {
  configured: boolean;
  /** From DLE EOT 1 (drawer kick connector pin 3); null where unknown. */
  open: boolean | null;
  lastOpenedAt: string | null;
};

/**
 * What an "open drawer" from the device screen did. Without `uncertain` the drawer opened. With it,
 * the kick left for the drawer but was not confirmed in time: it may have opened — look at it.
 * (Not opened is a DEVICE_UNAVAILABLE error, and then it never opens later.)
 */
export type DrawerOpening = DrawerStatus & { uncertain?: true };

/** Counted, never thrown: what a scanner line delivered that was not a scan. */
export type ScannerErrorCounts = {
  /** Non-printable bytes on the line (the line is dropped). */
  garbage: number;
  /** Longer than the profile's maxLength. */
  overlong: number;
  /** A line cut off (no terminator) and not flushed. */
  partial: number;
  /** Could not open / lost the port. */
  io: number;
};

export type ScannerStatus = {
  id: string;
  kind: ScannerProfile['kind'];
  enabled: boolean;
  connected: boolean;
  scans: number;
  errors: ScannerErrorCounts;
  lastError: string | null;
};

export type PrintJobState = 'queued' | 'sending' | 'held' | 'done' | 'failed' | 'cancelled';

/**
 * Why a job is held. `interrupted`: the terminal stopped while the job was being sent, so it may
 * or may not have printed — it is never resent silently; a person confirms (retryJob to send it
 * again, cancelJob if it did print).
 */
export type PrintHoldReason = 'paper_end' | 'cover_open' | 'offline' | 'unreachable' | 'interrupted';

export type PrintJobView = {
  id: string;
  /** The receipt kind: sale, return, exchange, x_report, z_report, no_sale, test. */
  kind: string;
  state: PrintJobState;
  heldReason: PrintHoldReason | null;
  attempts: number;
  error: string | null;
  /** A reprint the user asked for (printed with a COPY mark). */
  copy: boolean;
  /** For a copy: the job it reprints. */
  reprintOf: string | null;
  receiptNo: string | null;
  createdAt: string;
  updatedAt: string;
  printedAt: string | null;
};

export type PrintQueueSummary = { queued: number; held: number; failed: number };

export type DevicesStatus = {
  printer: PrinterStatus;
  drawer: DrawerStatus;
  scanners: ScannerStatus[];
  queue: PrintQueueSummary;
};

export type SerialPortInfo = {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
};

export type HidDeviceInfo = {
  path: string | null;
  vendorId: number;
  productId: number;
  product: string | null;
  manufacturer: string | null;
  usagePage: number | null;
  usage: number | null;
  /** On the HID POS usage page (0x8C): a barcode scanner the HID driver can read. */
  posScanner: boolean;
};

export type ReceiptPreview = {
  jobId: string;
  /** The receipt as SVG (receiptline), the same template the printer gets. */
  svg: string;
  /** `data:image/png;base64,…` when asked for (`png: true`). */
  png: string | null;
  paperMm: 58 | 80;
};

const jobId = z.string().trim().min(1).max(64);

export const devicesContract = {
  /** The stored peripheral profile (defaults when none was saved). */
  profile: method<DeviceProfile>()(empty),
  /** Replaces the profile, audits the change through the outbox, and reconnects the drivers. */
  saveProfile: method<DeviceProfile>()(deviceProfileSchema),
  /** Serial ports the OS sees now. */
  listSerialPorts: method<SerialPortInfo[]>()(empty),
  /** HID devices the OS sees now (POS scanners flagged). */
  listHid: method<HidDeviceInfo[]>()(empty),
  /** Printer, drawer, scanners and queue, as last read (`refresh: true` queries the printer first). */
  status: method<DevicesStatus>()(z.object({ refresh: z.boolean().optional() }).strict()),
  /** Queues a test page; answers with the job (watch `devices.job` for its progress). */
  testPrint: method<PrintJobView>()(empty),
  /**
   * Opens the cash drawer as a hardware test. It is a no-sale: cash staff, with a manager's
   * `no_sale` approval unless a manager (APPROVAL_REQUIRED otherwise). Logged with why, who and who
   * approved (outbox event `device.drawer_opened`); `staffId` in the input is ignored — who acted
   * comes from the session, not from the renderer. Fails with DEVICE_NOT_CONFIGURED /
   * DEVICE_UNAVAILABLE, and refuses while the printer reports a problem (the kick would wait in its buffer).
   * Answers within 10 s, well inside the screen's request timeout, even while the printer is busy
   * with a long receipt: DEVICE_UNAVAILABLE then means it did not open and never will from this
   * request; `uncertain: true` means the kick was on its way and the drawer may have opened.
   */
  openDrawer: method<DrawerOpening>()(
    z
      .object({
        reason: z.string().trim().min(1).max(200),
        staffId: z.string().trim().min(1).max(64).optional(),
        approvalToken: z.string().min(1).max(128).optional(),
      })
      .strict(),
  ),
  /** The print queue, newest first. */
  jobs: method<PrintJobView[]>()(z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict()),
  /**
   * Sends a failed or held job again — the same job, not a copy. For a job `held: interrupted`
   * this is the person confirming it did not print. CONFLICT for a job that is done or sending,
   * and for a job held after its bytes reached the printer (it prints from its buffer when the
   * printer is ready; sending it again would print it twice).
   */
  retryJob: method<PrintJobView>()(z.object({ jobId }).strict()),
  /**
   * Gives up a queued/held/failed job (e.g. an interrupted job that did print). CONFLICT for a job
   * that is done or sending, and for a job held after its bytes reached the printer: it prints from
   * the printer's buffer when the printer is ready, whatever the queue says.
   */
  cancelJob: method<PrintJobView>()(z.object({ jobId }).strict()),
  /** Prints a job again as a new job marked as a copy (重印 / COPY). */
  reprint: method<PrintJobView>()(z.object({ jobId }).strict()),
  /**
   * A job's receipt as SVG (and PNG when asked), from the same template as the print. By `jobId`,
   * or by `receiptNo` (the original print of that receipt: what the Sell screen shows after a sale).
   */
  receiptPreview: method<ReceiptPreview>()(
    z
      .object({ jobId: jobId.optional(), receiptNo: z.string().trim().min(1).max(64).optional(), png: z.boolean().optional() })
      .strict()
      .refine((i) => (i.jobId === undefined) !== (i.receiptNo === undefined), { message: 'give jobId or receiptNo' }),
  ),
};

export type DevicesEvents = {
  /** Whenever printer, drawer, scanner or queue status changes. */
  'devices.status': DevicesStatus;
  /** Whenever a print job is created or changes state. */
  'devices.job': PrintJobView;
};
