import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { classifyScan } from './classify.js';
import { HidPosReportParser, HidScanner } from './hid-scanner.js';
import type { HidDeviceLike } from './hid-scanner.js';

/** There is no virtual HID on these kernels: a fake device replays report bytes as node-hid delivers them. */
class ReplayDevice extends EventEmitter implements HidDeviceLike {
  closed = false;
  replay(reports: Buffer[]): void {
    for (const r of reports) this.emit('data', r);
  }
  close(): void {
    this.closed = true;
  }
}

/** A 64-byte HID POS scanned-data report: ID 2, length, AIM id, data, byte 63 bit 0 = more follows. */
function report(data: string, aim = ']E0', more = false): Buffer {
  const bytes = Buffer.alloc(64);
  const payload = Buffer.from(data, 'latin1');
  bytes[0] = 0x02;
  bytes[1] = payload.length;
  bytes.write(aim, 2, 'latin1');
  payload.copy(bytes, 5);
  bytes[63] = more ? 1 : 0;
  return bytes;
}

function collect(device: ReplayDevice) {
  const scanner = new HidScanner(device);
  const scans: string[] = [];
  const problems: string[] = [];
  scanner.on('scan', (s) => scans.push(s));
  scanner.on('problem', (p) => problems.push(`${p.kind}: ${p.detail}`));
  return { scanner, scans, problems };
}

describe('USB-HID POS scanner (report replay)', () => {
  it('decodes EAN-13 reports into the same scans a serial scanner gives', () => {
    const device = new ReplayDevice();
    const { scans } = collect(device);
    // Recorded shape of a Honeywell 1950g in HID POS mode scanning an EAN-13.
    device.replay([
      Buffer.from(
        '020d5d4530363937313131313337363138330000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
        'hex',
      ),
    ]);
    expect(scans).toEqual(['6971111376183']);
    expect(classifyScan(scans[0]!)).toMatchObject({ kind: 'product', code: '6971111376183' });
  });

  it('joins a long code sent over several reports and keeps the GS1 AIM prefix and separators', () => {
    const device = new ReplayDevice();
    const { scans } = collect(device);
    const gs1 = '0109876543210982' + '17261231' + '10LOT-ABC-123456789012345678901234567890' + '\x1d' + '21SERIAL0001';
    device.replay([report(gs1.slice(0, 56), ']C1', true), report(gs1.slice(56), ']C1', false)]);
    expect(scans).toEqual([`]C1${gs1}`]);
  });

  it('ignores other report IDs and counts broken reports without stopping', () => {
    const device = new ReplayDevice();
    const { scans, problems } = collect(device);
    const bad = report('123');
    bad[1] = 200; // a length that cannot fit
    const noise = report('\x07\x00\x01');
    const other = Buffer.alloc(8, 0x04);
    device.replay([other, bad, noise, Buffer.from([0x02, 0x01]), report('M000123', ']Q1')]);
    expect(scans).toEqual(['M000123']);
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => p.startsWith('garbage'))).toBe(true);
  });

  it('drops the rest of a long scan whose report was broken or that ran over length, instead of taking its tail for a scan', () => {
    const device = new ReplayDevice();
    const { scans, problems } = collect(device);
    const label = '0109876543210982' + '17261231' + '10LOT-ABC-1234567890123456789012345678' + '\x1d' + '21' + '6971111376183';
    const broken = report(label.slice(0, 56), ']C1', true);
    broken[1] = 120; // a length byte that cannot fit: the first part of the label is lost
    device.replay([broken, report(label.slice(56), ']C1', false)]);
    // An over-long code: the parser gives up in its second report, and its third and last report is not a scan either.
    const parser = new HidPosReportParser(100);
    const long = 'X'.repeat(56 * 2) + '6971111376183';
    const outs = [report(long.slice(0, 56), ']Q1', true), report(long.slice(56, 112), ']Q1', true), report(long.slice(112), ']Q1')].map(
      (r) => parser.push(r),
    );
    expect(scans).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(outs.filter((o) => o && 'scan' in o)).toEqual([]);
    expect(outs.filter((o) => o && 'error' in o)).toHaveLength(1);
    // The next scan reads whole again.
    device.replay([report('6971111376183')]);
    expect(parser.push(report('6971111376183'))).toEqual({ scan: { aimId: ']E0', data: '6971111376183' } });
    expect(scans).toEqual(['6971111376183']);
  });

  it('reports an unplugged device as disconnected, and stop() closes it', () => {
    const device = new ReplayDevice();
    const { scanner, problems } = collect(device);
    const disconnected: string[] = [];
    scanner.on('disconnected', (why) => disconnected.push(why));
    device.emit('error', new Error('could not read from HID device'));
    expect(scanner.connected).toBe(false);
    expect(disconnected).toEqual(['could not read from HID device']);
    expect(problems[0]).toMatch(/^io/);
    scanner.stop();
    expect(device.closed).toBe(true);
  });

  it('the parser survives random reports', () => {
    const parser = new HidPosReportParser(512);
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let outputs = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = Buffer.alloc(Math.floor(rand() * 70));
      for (let k = 0; k < r.length; k++) r[k] = Math.floor(rand() * 256);
      if (r.length > 0 && rand() < 0.5) r[0] = 0x02;
      if (parser.push(r)) outputs++;
    }
    expect(outputs).toBeGreaterThan(0);
    expect(parser.push(report('6971111376183'))).toEqual({ scan: { aimId: ']E0', data: '6971111376183' } });
  });
});
