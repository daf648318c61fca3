import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceProfile, PrintJobView } from '../api/contract.js';
import { attempt } from '../core/peripherals.js';
import { readOutbox } from '../store/outbox.js';
import { tempDir } from '../testing/temp-dir.js';
import { VirtualPrinter } from '../../fixtures/virtual-printer.js';
import { EscPosDecoder } from '../../native/printer/escpos-decoder.js';
import { DevicesService } from './devices-service.js';
import type { DevicesOptions } from './devices-service.js';
import { devicePeripherals } from './peripherals.js';
import { nextEvent, openTestContext, sampleSaleReceipt } from '../testing/devices-kit.js';
import type { TestContext } from '../testing/devices-kit.js';

let dir: ReturnType<typeof tempDir>;
let printer: VirtualPrinter;
let port: number;
const open: { t: TestContext; devices: DevicesService }[] = [];

beforeEach(async () => {
  dir = tempDir('shopfloor-print-');
  printer = new VirtualPrinter({ outDir: `${dir.path}/printed` });
  port = await printer.listenTcp(0);
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.devices.close();
    o.t.close();
  }
  await printer.close();
  dir.cleanup();
});

function profile(p: number, mode: 'text-gb18030' | 'raster' = 'text-gb18030'): DeviceProfile {
  return {
    scanners: [],
    printer: { connection: { kind: 'tcp', host: '127.0.0.1', port: p }, mode, paperMm: 80, logo: false },
    drawer: { kind: 'printer', pulse: { pin: 0, onMs: 50, offMs: 500 } },
  };
}

/** A service on the store in `dir` (opening it again is a restart). */
async function startService(p: DeviceProfile | null, options: DevicesOptions = {}): Promise<{ t: TestContext; devices: DevicesService }> {
  const t = openTestContext(dir.path);
  const devices = new DevicesService(t.ctx, { heldPollMs: 20, maxBackoffMs: 50, ...options });
  const o = { t, devices };
  open.push(o);
  if (p) await devices.saveProfile(p, 'staff-1');
  await devices.start();
  return o;
}

const jobDone = (t: TestContext, id: string) => nextEvent(t.ctx.events, 'devices.job', (j) => j.id === id && j.state === 'done');

function darkPixels(path: string): { width: number; height: number; dark: number } {
  const png = PNG.sync.read(readFileSync(path));
  let dark = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 128) dark++;
  return { width: png.width, height: png.height, dark };
}

describe('receipts on a network printer (raw TCP, virtual printer)', () => {
  it('prints a sale in GB18030 text: the printer decodes the Chinese, the codes, and writes a non-blank PNG', async () => {
    const { t, devices } = await startService(profile(port));
    const received = new Promise((resolve) => printer.once('receipt', resolve));
    const job = devices.printReceipt(sampleSaleReceipt(3));
    await jobDone(t, job.id);
    await received;
    expect(printer.receipts).toHaveLength(1);
    const r = printer.receipts[0]!;
    expect(r.text).toContain('上海南京路店');
    expect(r.text).toContain('羽绒服 长款');
    expect(r.text).toMatch(/合计\s+￥627\.00/);
    expect(r.text).toContain('收银员: 王小明');
    // 𠮷 is outside GBK: it falls back visibly instead of printing garbage.
    expect(r.text).toContain('会员: 吉□');
    expect(r.barcodes).toEqual([{ symbology: 'CODE128', data: 'S001-7F3A-261122-0042' }]);
    // The member QR arrives as an image (receiptline draws it with its quiet zone).
    expect(r.rasters.length).toBe(1);
    const png = darkPixels(r.pngPath!);
    expect(png.width).toBe(576);
    expect(png.dark).toBeGreaterThan(5000);
    expect(devices.jobs(10)[0]).toMatchObject({ id: job.id, state: 'done', attempts: 1, copy: false });
  });

  it('prints the same receipt as a raster image when the printer has no Chinese font', async () => {
    const { t, devices } = await startService(profile(port, 'raster'));
    const job = devices.printReceipt(sampleSaleReceipt(2));
    await jobDone(t, job.id);
    const r = printer.receipts[0]!;
    expect(r.text).not.toContain('羽绒服');
    const height = r.rasters.reduce((n, x) => n + x.height, 0);
    expect(r.rasters.every((x) => x.width === 576)).toBe(true);
    expect(height).toBeGreaterThan(800);
    expect(r.rasters.reduce((n, x) => n + x.blackPixels, 0)).toBeGreaterThan(20_000);
    expect(darkPixels(r.pngPath!).dark).toBeGreaterThan(20_000);
  });

  it('holds a job when the paper runs out mid-job, shows it, and prints it once when the paper is back', async () => {
    const { t, devices } = await startService(profile(port));
    // The roll ends as the job's bytes arrive (not its status queries): the printer keeps them in its buffer.
    const onData = ({ statusOnly }: { statusOnly: boolean }) => {
      if (statusOnly) return;
      printer.off('data', onData);
      printer.set({ paperEnd: true });
    };
    printer.on('data', onData);
    const held = nextEvent(t.ctx.events, 'devices.job', (j) => j.state === 'held');
    const statusShowsIt = nextEvent(
      t.ctx.events,
      'devices.status',
      (s) => s.printer.paperEnd === true && s.printer.problem === 'paper_end' && s.queue.held === 1,
    );
    const job = devices.printReceipt(sampleSaleReceipt(3));
    expect((await held).heldReason).toBe('paper_end');
    await statusShowsIt;
    expect(printer.receipts).toHaveLength(0);
    expect(printer.heldCount).toBe(1);

    const done = jobDone(t, job.id);
    printer.set({ paperEnd: false });
    const finished = await done;
    expect(finished.attempts).toBe(1);
    expect(printer.receipts).toHaveLength(1);
    expect(printer.receipts[0]!.text).toContain('羽绒服 长款');
    // Later jobs print after it, and nothing is sent twice.
    const next = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0043'));
    await jobDone(t, next.id);
    expect(printer.receipts.map((r) => r.barcodes[0]?.data)).toEqual(['S001-7F3A-261122-0042', 'S001-7F3A-261122-0043']);
  });

  it('does not send to a printer whose cover is open: held until it is closed', async () => {
    const { t, devices } = await startService(profile(port));
    printer.set({ coverOpen: true });
    const held = nextEvent(t.ctx.events, 'devices.job', (j) => j.state === 'held' && j.heldReason === 'cover_open');
    const job = devices.printReceipt(sampleSaleReceipt(1));
    await held;
    expect(printer.totalBytes - printer.statusQueries * 3).toBe(0);
    const done = jobDone(t, job.id);
    printer.set({ coverOpen: false });
    await done;
    expect(printer.receipts).toHaveLength(1);
  });

  it('keeps jobs queued with a clear status while the printer is unreachable, and prints them once it is reachable', async () => {
    // Port 1 (tcpmux, privileged): nobody listens there. Not a port freed a moment ago that any
    // other process could take before the test uses it.
    const { t, devices } = await startService(profile(1));
    const unreachable = nextEvent(t.ctx.events, 'devices.status', (s) => s.printer.problem === 'unreachable');
    const noted = nextEvent(t.ctx.events, 'devices.job', (j) => j.state === 'queued' && (j.error ?? '').includes('ECONNREFUSED'));
    const job = devices.printReceipt(sampleSaleReceipt(1));
    const status = await unreachable;
    expect(status.printer.reachable).toBe(false);
    expect(status.printer.lastError).toContain('ECONNREFUSED');
    expect(status.queue.queued).toBe(1);
    expect((await noted).attempts).toBe(0);

    // The printer is reachable again (here: at the address it really has, bound by the OS).
    const late = new VirtualPrinter({ outDir: null });
    const latePort = await late.listenTcp(0);
    try {
      await devices.saveProfile(profile(latePort), 'it-1');
      await jobDone(t, job.id);
      expect(late.receipts).toHaveLength(1);
      expect(devices.status().printer).toMatchObject({ reachable: true, problem: null });
    } finally {
      await late.close();
    }
  });

  it('survives a restart: queued jobs print once after it; a job cut off while sending waits for a person', async () => {
    const first = await startService(profile(port));
    // Stop printing before anything leaves: the printer is away.
    await printer.close();
    const a = first.devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0001'));
    const b = first.devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0002'));
    const c = first.devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0003'));
    await nextEvent(first.t.ctx.events, 'devices.status', (s) => s.printer.problem === 'unreachable');
    await first.devices.close();
    // As if the app died while job c was on its way to the printer.
    first.t.ctx.db.prepare(`UPDATE print_job SET state = 'sending', attempts = 1 WHERE id = ?`).run(c.id);
    first.t.close();
    open.splice(0);

    printer = new VirtualPrinter({ outDir: null });
    await printer.listenTcp(port);
    const t2 = openTestContext(dir.path);
    const devices2 = new DevicesService(t2.ctx, { heldPollMs: 20, maxBackoffMs: 50 });
    open.push({ t: t2, devices: devices2 });
    const doneA = jobDone(t2, a.id);
    const doneB = jobDone(t2, b.id);
    const interrupted = nextEvent(t2.ctx.events, 'devices.job', (j) => j.id === c.id && j.heldReason === 'interrupted');
    await devices2.start();
    await Promise.all([doneA, doneB, interrupted]);
    expect(printer.receipts.map((r) => r.barcodes[0]?.data)).toEqual(['S001-7F3A-261122-0001', 'S001-7F3A-261122-0002']);

    // Retrying is the person saying "it did not print": it is sent (once) and the decision is audited.
    const doneC = jobDone(t2, c.id);
    devices2.retryJob(c.id, 'manager-1');
    expect((await doneC).attempts).toBe(2);
    expect(printer.receipts).toHaveLength(3);
    expect(() => devices2.retryJob(c.id, 'manager-1')).toThrow(/done/);
    expect(readOutbox(t2.ctx.db, 100).some((e) => e.type === 'device.print_job_retried' && e.staffId === 'manager-1')).toBe(true);
  });

  it('reprints as a new job marked as a copy, and previews the receipt as SVG and PNG', async () => {
    const { t, devices } = await startService(profile(port));
    const job = devices.printReceipt(sampleSaleReceipt(1));
    await jobDone(t, job.id);
    const copy: PrintJobView = devices.reprint(job.id, 'staff-1');
    expect(copy).toMatchObject({ copy: true, reprintOf: job.id });
    await jobDone(t, copy.id);
    expect(printer.receipts).toHaveLength(2);
    expect(printer.receipts[0]!.text).not.toContain('重印');
    expect(printer.receipts[1]!.text).toContain('重印 COPY');
    expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.receipt_reprinted')).toHaveLength(1);

    const preview = devices.preview({ jobId: copy.id }, true);
    expect(preview.svg.startsWith('<svg')).toBe(true);
    expect(preview.svg).toContain('重');
    expect(preview.png).toMatch(/^data:image\/png;base64,/);
    expect(() => devices.preview({ jobId: 'no-such-job' }, false)).toThrow(/No print job/);
    expect(devices.preview({ receiptNo: 'S001-7F3A-261122-0042' }, false).jobId).toBe(job.id);
  });

  it('opens the drawer through the printer and logs who and why', async () => {
    const { t, devices } = await startService(profile(port));
    const kicked = new Promise<{ pin: number; onMs: number; offMs: number }>((resolve) => printer.once('drawer', resolve));
    await devices.openDrawer({ kind: 'no_sale', staffId: 'manager-7', note: 'change for the float' });
    expect(await kicked).toEqual({ pin: 0, onMs: 50, offMs: 500 });
    const events = readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ staffId: 'manager-7', payload: { reason: 'no_sale', note: 'change for the float', via: 'printer' } });
    // The printer reports the drawer open (DLE EOT 1, bit 2).
    expect((await devices.refreshStatus()).drawer.open).toBe(true);
  });

  it('says the drawer opened when it did, and logs the opening once another till lets go of the store', async () => {
    const { t, devices } = await startService(profile(port));
    // Another till on the store file writes in one transaction longer than this till waits for the store.
    const other = openTestContext(dir.path);
    t.ctx.db.pragma('busy_timeout = 0');
    other.ctx.db.exec('BEGIN IMMEDIATE');
    const kicked = new Promise((resolve) => printer.once('drawer', resolve));
    let status: unknown;
    try {
      status = await devices.openDrawer({ kind: 'no_sale', staffId: 'manager-7', note: 'change for the float' });
    } finally {
      other.ctx.db.exec('COMMIT');
      other.close();
    }
    await kicked;

    expect(status).toMatchObject({ configured: true, lastOpenedAt: expect.any(String) });
    await vi.waitFor(() => expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened')).toHaveLength(1), {
      timeout: 10_000,
    });
  });

  it('refuses to open a drawer that is not set up, or one whose printer is unreachable, and logs nothing', async () => {
    const { t, devices } = await startService({ scanners: [], printer: null, drawer: { kind: 'none' } });
    await expect(devices.openDrawer({ kind: 'no_sale', staffId: 'm', note: 'x' })).rejects.toMatchObject({ code: 'DEVICE_NOT_CONFIGURED' });
    // No printer: a receipt is refused, not queued to print never.
    expect(() => devices.printReceipt(sampleSaleReceipt(1))).toThrow(/No receipt printer/);
    expect(devices.jobs(10)).toEqual([]);
    await devices.saveProfile({ ...profile(port), drawer: { kind: 'printer', pulse: { pin: 1, onMs: 100, offMs: 100 } } }, 'm');
    await printer.close();
    await expect(devices.openDrawer({ kind: 'no_sale', staffId: 'm', note: 'x' })).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
    expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened')).toHaveLength(0);
  });

  it('does not log a drawer as opened through a printer that is out of paper (it would not kick it)', async () => {
    const { t, devices } = await startService(profile(port));
    let kicked = false;
    printer.on('drawer', () => (kicked = true));
    printer.set({ paperEnd: true });
    await expect(devices.openDrawer({ kind: 'cash_sale', staffId: 'cashier-2', note: 'S001-7F3A-261122-0042' })).rejects.toMatchObject({
      code: 'DEVICE_UNAVAILABLE',
    });
    expect(kicked).toBe(false);
    expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened')).toHaveLength(0);
    expect(devices.status().printer.problem).toBe('paper_end');
  });

  it('does not kick the drawer after the cashier was told it did not open (the printer answered too late)', async () => {
    const { t, devices } = await startService(profile(port));
    let kicked = false;
    printer.on('drawer', () => (kicked = true));
    // The printer is slow to answer the status asked before the kick (busy taking in a long job).
    printer.holdStatus();
    const result = await attempt(
      (deadline) =>
        devicePeripherals(devices).openDrawer({ kind: 'cash_sale', staffId: 'cashier-2', note: 'S001-7F3A-261122-0042' }, deadline),
      50,
    );
    // The sale screen now says "the drawer did not open"; the cashier opens it with a logged no-sale.
    expect(result.sent).toBe(false);
    printer.releaseStatus();
    // Uses of the printer link run one after another: this one starts once the kick's use ended.
    await devices.refreshStatus();
    expect(kicked).toBe(false);
    expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened')).toHaveLength(0);
  });

  it('answers a no-sale opening while a slow printer is still busy with a receipt, and never opens the drawer afterwards', async () => {
    // The screen's request gives up after 30 s: the terminal answers first, from its own deadline.
    const { t, devices } = await startService(profile(port), { drawerAnswerMs: 50 });
    let kicked = false;
    printer.on('drawer', () => (kicked = true));
    // A receipt goes out; then the printer, busy taking it in, is slow to answer anything.
    printer.holdStatus(3);
    const job = devices.printReceipt(sampleSaleReceipt(3));
    const printed = jobDone(t, job.id);
    await nextEvent(t.ctx.events, 'devices.job', (j) => j.id === job.id && j.state === 'sending');
    // A manager-approved no-sale from the device screen, queued on the printer link behind the receipt.
    const opening = devices.openDrawer({ kind: 'no_sale', staffId: 'cashier-2', approvedBy: 'manager-1', note: 'change' });
    const answer = await opening.then(
      () => 'opened',
      (error: unknown) => error,
    );
    // The answer came while the receipt was still on its way (not after the printer gave up on it),
    // and it says the drawer did not open.
    expect(devices.jobs(5).find((j) => j.id === job.id)?.state).toBe('sending');
    expect(answer).toMatchObject({ code: 'DEVICE_UNAVAILABLE', message: expect.stringContaining('will not open') });
    // The printer catches up: the receipt is done, and the kick the screen was told failed is never sent.
    printer.releaseStatus();
    await printed;
    await devices.refreshStatus();
    expect(kicked).toBe(false);
    expect(readOutbox(t.ctx.db, 100).filter((e) => e.type === 'device.drawer_opened')).toHaveLength(0);
  });

  it('writes to a USB printer device file (write-only: no status, done once written)', async () => {
    const device = `${dir.path}/lp0`;
    writeFileSync(device, '');
    const { t, devices } = await startService({
      scanners: [],
      printer: { connection: { kind: 'usb', path: device }, mode: 'text-gb18030', paperMm: 58, logo: false },
      drawer: { kind: 'none' },
    });
    const job = devices.printReceipt(sampleSaleReceipt(1));
    await jobDone(t, job.id);
    const items = new EscPosDecoder().push(readFileSync(device));
    expect(items.filter((i) => i.type === 'status')).toHaveLength(0);
    expect(items.some((i) => i.type === 'text' && i.line.includes('羽绒服 长款'))).toBe(true);
    expect(devices.status().printer).toMatchObject({ connection: 'usb', online: null, paperEnd: null, problem: null });
  });

  it('does not "print" into a new file when the USB printer is unplugged (its device file is gone)', async () => {
    const device = `${dir.path}/lp9`;
    const { t, devices } = await startService({
      scanners: [],
      printer: { connection: { kind: 'usb', path: device }, mode: 'text-gb18030', paperMm: 58, logo: false },
      drawer: { kind: 'none' },
    });
    const noted = nextEvent(t.ctx.events, 'devices.job', (j) => j.state !== 'queued' || j.error !== null);
    const job = devices.printReceipt(sampleSaleReceipt(1));
    const seen = await noted;
    expect(seen).toMatchObject({ id: job.id, state: 'queued', printedAt: null });
    expect(seen.error).toContain('ENOENT');
    expect(existsSync(device)).toBe(false);
  });

  it('shows an idle printer running out of paper before anyone prints', async () => {
    const t = openTestContext(dir.path);
    const devices = new DevicesService(t.ctx, { heldPollMs: 20, statusPollMs: 20 });
    open.push({ t, devices });
    await devices.saveProfile(profile(port), 'staff-1');
    const paperOut = nextEvent(t.ctx.events, 'devices.status', (s) => s.printer.problem === 'paper_end');
    await devices.start();
    printer.set({ paperEnd: true });
    expect((await paperOut).printer).toMatchObject({ reachable: true, paperEnd: true });
    const back = nextEvent(
      t.ctx.events,
      'devices.status',
      (s) => s.printer.reachable && s.printer.problem === null && s.printer.paperEnd === false,
    );
    printer.set({ paperEnd: false });
    await back;
    expect(printer.receipts).toHaveLength(0);
  });
});

describe('a job that already reached the printer is never sent twice, nor called printed on a guess', () => {
  /** The roll ends as the job's bytes arrive: the printer keeps the job in its buffer, the queue holds it as delivered. */
  async function heldAfterDelivery(t: TestContext, devices: DevicesService): Promise<PrintJobView> {
    const onData = ({ statusOnly }: { statusOnly: boolean }) => {
      if (statusOnly) return;
      printer.off('data', onData);
      printer.set({ paperEnd: true });
    };
    printer.on('data', onData);
    const held = nextEvent(t.ctx.events, 'devices.job', (j) => j.state === 'held' && j.heldReason === 'paper_end');
    devices.printReceipt(sampleSaleReceipt(1));
    return held;
  }

  it('refuses a retry of a job held for paper after its bytes were delivered: it prints once when the paper is back', async () => {
    const { t, devices } = await startService(profile(port));
    const job = await heldAfterDelivery(t, devices);
    expect(printer.heldCount).toBe(1);
    // The cashier presses "retry" while the paper is still out: the printer already has the job.
    expect(() => devices.retryJob(job.id, 'staff-1')).toThrow(/already/);
    const done = jobDone(t, job.id);
    printer.set({ paperEnd: false });
    expect((await done).attempts).toBe(1);
    // One more job after it proves the worker went on; the held job was not sent a second time.
    const next = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0043'));
    await jobDone(t, next.id);
    expect(printer.receipts.map((r) => r.barcodes[0]?.data)).toEqual(['S001-7F3A-261122-0042', 'S001-7F3A-261122-0043']);
  });

  it('refuses to cancel a job held for paper after its bytes were delivered: the printer prints it anyway, and the queue says so', async () => {
    const { t, devices } = await startService(profile(port));
    const job = await heldAfterDelivery(t, devices);
    // The customer left; the cashier cancels the stuck receipt. The printer has it in its buffer:
    // "cancelled" would be untrue the moment the paper is back.
    expect(() => devices.cancelJob(job.id, 'staff-1')).toThrow(/already/);
    expect(readOutbox(t.ctx.db, 100).some((e) => e.type === 'device.print_job_cancelled')).toBe(false);
    const done = jobDone(t, job.id);
    printer.set({ paperEnd: false });
    expect((await done).attempts).toBe(1);
    expect(printer.receipts).toHaveLength(1);
  });

  it('holds a delivered job as interrupted when the printer goes away (switched off to load paper), not done when it comes back', async () => {
    const { t, devices } = await startService(profile(port));
    const job = await heldAfterDelivery(t, devices);
    // Switched off: the buffered receipt is gone with the power.
    const moved = nextEvent(t.ctx.events, 'devices.job', (j) => j.id === job.id && j.heldReason !== 'paper_end');
    await printer.close();
    expect(await moved).toMatchObject({ state: 'held', heldReason: 'interrupted' });
    printer = new VirtualPrinter({ outDir: null });
    await printer.listenTcp(port);
    // Back on with paper: the queue must not call the job printed; a person decides.
    const next = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0043'));
    await jobDone(t, next.id);
    expect(devices.jobs(10).find((j) => j.id === job.id)).toMatchObject({ state: 'held', heldReason: 'interrupted', printedAt: null });
    expect(printer.receipts).toHaveLength(1);
  });

  it('holds a delivered job as interrupted when the profile switches to another printer, instead of calling it printed there', async () => {
    const { t, devices } = await startService(profile(port));
    const job = await heldAfterDelivery(t, devices);
    const other = new VirtualPrinter({ outDir: null });
    const otherPort = await other.listenTcp(0);
    try {
      await devices.saveProfile(profile(otherPort), 'it-1');
      const next = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0043'));
      await jobDone(t, next.id);
      // The new printer never got the held job: it must not be reported printed.
      expect(other.receipts.map((r) => r.barcodes[0]?.data)).toEqual(['S001-7F3A-261122-0043']);
      expect(devices.jobs(10).find((j) => j.id === job.id)).toMatchObject({ state: 'held', heldReason: 'interrupted', printedAt: null });
    } finally {
      await other.close();
    }
  });

  it('does not print a job cancelled while the worker was asking the printer for its status', async () => {
    const { t, devices } = await startService(profile(port));
    let cancelled: PrintJobView | undefined;
    // The first status query for the first job: the worker picked it and waits for the answer.
    const onData = ({ statusOnly }: { statusOnly: boolean }) => {
      if (!statusOnly) return;
      printer.off('data', onData);
      cancelled = devices.cancelJob(first.id, 'manager-1');
    };
    printer.on('data', onData);
    const first = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0001'));
    const second = devices.printReceipt(sampleSaleReceipt(1, 'S001-7F3A-261122-0002'));
    await jobDone(t, second.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(devices.jobs(10).find((j) => j.id === first.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    expect(printer.receipts.map((r) => r.barcodes[0]?.data)).toEqual(['S001-7F3A-261122-0002']);
  });
});
