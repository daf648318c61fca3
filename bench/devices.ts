/**
 * Peripheral figures (issue 4), measured through the real code paths and simulators:
 *
 * - `receipt_first_byte_ms_text` and `_raster`: `printReceipt()` (what checkout calls when a sale commits) → the
 *   first byte of the receipt at the virtual printer over a real TCP socket on 127.0.0.1. A
 *   10-line sale with member QR and receipt-number barcode; text (GB18030) and raster (GS v 0)
 *   mode as two records. Includes queueing in SQLite, the printer status check (DLE EOT 1/2/4
 *   round trips) and rendering. Goals: ≤ 150 ms text, ≤ 400 ms raster.
 * - `serial_scan_to_event_p99_ms`: the last byte of a scan written on a socat pseudo-terminal →
 *   the classified `scanned` event in main (serial driver, framing, classification). Goal ≤ 5 ms.
 *
 * `npm run bench` calls `benchDevices(record)`; it can also run alone: `node dist/bench/devices.js`.
 */
import { fileURLToPath } from 'node:url';
import { tempDir } from '../main/testing/temp-dir.js';
import type { DeviceProfile } from '../main/api/contract.js';
import { createDevicesService } from '../main/devices/devices-module.js';
import { nextEvent, openTestContext, sampleSaleReceipt } from '../main/testing/devices-kit.js';
import { startSocatPair } from '../fixtures/socat-pair.js';
import { VirtualPrinter } from '../fixtures/virtual-printer.js';
import { VirtualScanner } from '../fixtures/virtual-scanner.js';
import { percentile, round } from './stats.js';
import type { BenchResult } from './stats.js';

type Record = (r: BenchResult) => void;

const RECEIPTS = 30;
const SCANS = 1000;

async function firstByte(mode: 'text-gb18030' | 'raster', record: Record): Promise<void> {
  const dir = tempDir('shopfloor-bench-print-');
  const printer = new VirtualPrinter({ outDir: null, png: false });
  const port = await printer.listenTcp(0);
  const t = openTestContext(dir.path);
  const devices = createDevicesService(t.ctx);
  try {
    const profile: DeviceProfile = {
      scanners: [],
      printer: { connection: { kind: 'tcp', host: '127.0.0.1', port }, mode, paperMm: 80, logo: false },
      drawer: { kind: 'none' },
    };
    await devices.saveProfile(profile, null);
    await devices.start();
    const samples: number[] = [];
    let cold = 0;
    for (let i = 0; i <= RECEIPTS; i++) {
      const doc = sampleSaleReceipt(10, `S001-7F3A-261122-${String(i).padStart(4, '0')}`);
      const arrived = new Promise<number>((resolve) => {
        const on = (d: { statusOnly: boolean }) => {
          if (d.statusOnly) return;
          printer.off('data', on);
          resolve(performance.now());
        };
        printer.on('data', on);
      });
      const start = performance.now();
      const job = devices.printReceipt(doc);
      const at = await arrived;
      await nextEvent(t.ctx.events, 'devices.job', (j) => j.id === job.id && j.state === 'done');
      // The first receipt of a process also draws the glyphs it has not seen (raster) and warms the JIT.
      if (i === 0) cold = at - start;
      else samples.push(at - start);
    }
    const label = mode === 'raster' ? 'raster (GS v 0)' : 'text (GB18030)';
    record({
      name: mode === 'raster' ? 'receipt_first_byte_ms_raster' : 'receipt_first_byte_ms_text',
      value: round(percentile([...samples], 50), 1),
      unit: 'ms',
      note: `${label}: median of ${RECEIPTS}, printReceipt() → first receipt byte at the virtual TCP printer, 10-line sale + QR + CODE128; p95 ${round(percentile([...samples], 95), 1)} ms, first receipt of the process ${round(cold, 0)} ms; goal ≤ ${mode === 'raster' ? 400 : 150}`,
    });
  } finally {
    await devices.close();
    t.close();
    await printer.close();
    dir.cleanup();
  }
}

async function scanToEvent(record: Record): Promise<void> {
  const dir = tempDir('shopfloor-bench-scan-');
  const pair = await startSocatPair();
  const t = openTestContext(dir.path);
  const devices = createDevicesService(t.ctx);
  let scanner: VirtualScanner | undefined;
  try {
    await devices.start();
    const connected = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === true);
    await devices.saveProfile(
      {
        scanners: [
          {
            kind: 'serial',
            id: 'bench',
            enabled: true,
            line: { path: pair.b, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
            terminator: 'CR',
            maxLength: 256,
            idleFlushMs: 0,
          },
        ],
        printer: null,
        drawer: { kind: 'none' },
      },
      null,
    );
    await connected;
    scanner = await VirtualScanner.open(pair.a, 115200);
    const samples: number[] = [];
    for (let i = 0; i < SCANS + 50; i++) {
      const code = i % 2 === 0 ? '6971111376183' : `]C10109876543210982\x1d10LOT${i}`;
      const event = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === code);
      const bytes = Buffer.from(code + '\r', 'latin1');
      const start = performance.now();
      await scanner.sendRaw(bytes);
      const seen = await event.then(() => performance.now());
      if (i >= 50) samples.push(seen - start);
    }
    record({
      name: 'serial_scan_to_event_p99_ms',
      value: round(percentile([...samples], 99), 2),
      unit: 'ms',
      note: `${SCANS} scans (EAN-13 and GS1-128) on a socat pty at 115200 baud: write of the scan's bytes → classified \`scanned\` event in main; p50 ${round(percentile([...samples], 50), 2)} ms, max ${round(percentile([...samples], 100), 2)} ms; goal ≤ 5`,
    });
  } finally {
    await scanner?.close();
    await devices.close();
    t.close();
    await pair.close();
    dir.cleanup();
  }
}

export async function benchDevices(record: Record): Promise<void> {
  await firstByte('text-gb18030', record);
  await firstByte('raster', record);
  await scanToEvent(record);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchDevices((r) => console.log(`${r.name.padEnd(28)} ${String(r.value).padStart(8)} ${r.unit.padEnd(3)} ${r.note}`));
}
