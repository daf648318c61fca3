import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceProfile, SerialLine } from '../api/contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { startSocatPair } from '../../fixtures/socat-pair.js';
import type { SocatPair } from '../../fixtures/socat-pair.js';
import { VirtualPrinter } from '../../fixtures/virtual-printer.js';
import { VirtualScanner } from '../../fixtures/virtual-scanner.js';
import { createDevicesService } from './devices-module.js';
import type { DevicesService } from './devices-service.js';
import { nextEvent, openTestContext, sampleSaleReceipt } from '../testing/devices-kit.js';
import type { TestContext } from '../testing/devices-kit.js';

let dir: ReturnType<typeof tempDir>;
let pairs: SocatPair[] = [];
let t: TestContext;
let devices: DevicesService;
let printer: VirtualPrinter | undefined;
let scanner: VirtualScanner | undefined;

const line = (path: string): SerialLine => ({ path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 });

beforeEach(async () => {
  dir = tempDir('shopfloor-serial-');
  pairs = [await startSocatPair(), await startSocatPair()];
  t = openTestContext(dir.path);
  devices = createDevicesService(t.ctx, { heldPollMs: 20, maxBackoffMs: 50 });
});

afterEach(async () => {
  await devices.close();
  await printer?.close();
  await scanner?.close();
  printer = scanner = undefined;
  t.close();
  for (const p of pairs) await p.close();
  dir.cleanup();
});

describe('serial peripherals through the devices service (socat pseudo-terminals)', () => {
  it('prints a sale on a serial printer: status read back over the line, receipt decoded with its Chinese text', async () => {
    const [printerLine] = pairs;
    printer = new VirtualPrinter({ outDir: `${dir.path}/printed` });
    await printer.attachSerial(printerLine!.a, 115200);
    const profile: DeviceProfile = {
      scanners: [],
      printer: { connection: { kind: 'serial', line: line(printerLine!.b) }, mode: 'text-gb18030', paperMm: 58, logo: false },
      drawer: { kind: 'printer', pulse: { pin: 0, onMs: 100, offMs: 200 } },
    };
    await devices.saveProfile(profile, 'staff-1');
    await devices.start();
    const job = devices.printReceipt(sampleSaleReceipt(2));
    await nextEvent(t.ctx.events, 'devices.job', (j) => j.id === job.id && j.state === 'done');
    const r = printer.receipts[0]!;
    expect(r.transport).toBe('serial');
    expect(r.text).toContain('上海南京路店');
    expect(r.text).toContain('针织开衫');
    expect(r.barcodes[0]?.data).toBe('S001-7F3A-261122-0042');
    expect(printer.statusQueries).toBeGreaterThanOrEqual(6);
    expect(devices.status().printer).toMatchObject({ connection: 'serial', reachable: true, online: true, paperEnd: false, problem: null });
  });

  it('calls a printed receipt printed when an XON/XOFF byte comes in ahead of the status answer', async () => {
    const [printerLine] = pairs;
    printer = new VirtualPrinter({ outDir: null });
    await printer.attachSerial(printerLine!.a, 115200);
    await devices.saveProfile(
      {
        scanners: [],
        printer: { connection: { kind: 'serial', line: line(printerLine!.b) }, mode: 'text-gb18030', paperMm: 58, logo: false },
        drawer: { kind: 'none' },
      },
      'staff-1',
    );
    await devices.start();
    // As the receipt's bytes arrive, the printer's buffer fills and it sends XOFF, then XON.
    const onData = ({ statusOnly }: { statusOnly: boolean }) => {
      if (statusOnly) return;
      printer!.off('data', onData);
      printer!.noiseBeforeNextAnswer(Uint8Array.of(0x13, 0x11));
    };
    printer.on('data', onData);
    const job = devices.printReceipt(sampleSaleReceipt(1));
    const settled = await nextEvent(t.ctx.events, 'devices.job', (j) => j.id === job.id && (j.state === 'done' || j.state === 'held'));
    expect(printer.receipts).toHaveLength(1);
    expect(settled).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('turns a serial scanner line into a classified `scanned` event and counts the noise', async () => {
    const [scannerLine] = pairs;
    await devices.start();
    const connected = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === true);
    await devices.saveProfile(
      {
        scanners: [
          {
            kind: 'serial',
            id: 'scanner-1',
            enabled: true,
            line: { ...line(scannerLine!.b), baudRate: 9600 },
            terminator: 'CRLF',
            maxLength: 64,
            idleFlushMs: 0,
          },
        ],
        printer: null,
        drawer: { kind: 'none' },
      },
      'staff-1',
    );
    await connected;
    scanner = await VirtualScanner.open(scannerLine!.a, 9600);
    const scanned = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === '6971111376183');
    const garbageCounted = nextEvent(
      t.ctx.events,
      'devices.status',
      (s) => (s.scanners[0]?.errors.garbage ?? 0) >= 1 && (s.scanners[0]?.errors.overlong ?? 0) >= 1,
    );
    await scanner.sendRaw(Buffer.from([0x00, 0xff, 0x07, 0x0d, 0x0a]));
    await scanner.sendRaw(Buffer.from('9'.repeat(100) + '\r\n'));
    await scanner.scan('6971111376183', 'CRLF');
    const event = await scanned;
    expect(event).toMatchObject({ source: 'serial', kind: 'product', code: '6971111376183', symbology: 'ean13' });
    await garbageCounted;
    expect(devices.status().scanners[0]).toMatchObject({ id: 'scanner-1', kind: 'serial', connected: true, scans: 1 });
  });

  it('keeps one driver on the scanner line when the profile is saved twice in a row (a double-tapped Save)', async () => {
    const [scannerLine] = pairs;
    await devices.start();
    const withScanner = (maxLength: number): DeviceProfile => ({
      scanners: [
        {
          kind: 'serial',
          id: 'scanner-1',
          enabled: true,
          line: { ...line(scannerLine!.b), baudRate: 9600 },
          terminator: 'CR',
          maxLength,
          idleFlushMs: 0,
        },
      ],
      printer: null,
      drawer: { kind: 'none' },
    });
    await Promise.all([devices.saveProfile(withScanner(64), 'staff-1'), devices.saveProfile(withScanner(128), 'staff-1')]);
    // The scanner is taken out of the profile: nothing may keep reading its line.
    await devices.saveProfile({ scanners: [], printer: null, drawer: { kind: 'none' } }, 'staff-1');
    const connected = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === true);
    await devices.saveProfile(withScanner(128), 'staff-1');
    await connected;
    scanner = await VirtualScanner.open(scannerLine!.a, 9600);
    const scans: string[] = [];
    t.ctx.events.subscribe((frame) => {
      if (frame.name === 'scanned') scans.push((frame.payload as { raw: string }).raw);
    });
    const last = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === '6971111376190');
    await scanner.scan('6971111376183', 'CR');
    await scanner.scan('6971111376190', 'CR');
    await last;
    expect(scans).toEqual(['6971111376183', '6971111376190']);
    expect(devices.status().scanners).toMatchObject([{ id: 'scanner-1', connected: true, scans: 2 }]);
  });

  it('kicks a serial cash drawer with the pulse from the profile', async () => {
    const [drawerLine] = pairs;
    // The virtual printer's decoder reads the drawer line too: a serial drawer takes the same ESC p.
    printer = new VirtualPrinter({ outDir: null });
    await printer.attachSerial(drawerLine!.a, 9600);
    await devices.saveProfile(
      {
        scanners: [],
        printer: null,
        drawer: { kind: 'serial', line: { ...line(drawerLine!.b), baudRate: 9600 }, pulse: { pin: 1, onMs: 120, offMs: 240 } },
      },
      'staff-1',
    );
    await devices.start();
    const kicked = new Promise<{ pin: number; onMs: number; offMs: number }>((resolve) => printer!.once('drawer', resolve));
    const status = await devices.openDrawer({ kind: 'paid_out', staffId: 'staff-9', note: 'window cleaner' });
    expect(await kicked).toEqual({ pin: 1, onMs: 120, offMs: 240 });
    expect(status.lastOpenedAt).not.toBeNull();
  });
});
