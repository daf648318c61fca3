import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceProfile } from '../api/contract.js';
import { tempDir } from '../testing/temp-dir.js';
import type { HidDeviceLike } from '../../native/scanner/hid-scanner.js';
import { createDevicesService } from './devices-module.js';
import type { DevicesService } from './devices-service.js';
import { nextEvent, openTestContext } from '../testing/devices-kit.js';
import type { TestContext } from '../testing/devices-kit.js';

/** There is no virtual HID on these kernels: a fake handle behind node-hid's interface (`new HID.HID(path)`). */
class FakeHandle extends EventEmitter implements HidDeviceLike {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

/** The USB port the scanner sits in: each open gives a new handle while it is plugged in, as node-hid does. */
class UsbPort {
  plugged = false;
  readonly handles: FakeHandle[] = [];
  plugIn(): void {
    this.plugged = true;
  }
  unplug(): void {
    this.plugged = false;
    for (const h of this.handles) if (!h.closed) h.emit('error', new Error('could not read from HID device'));
  }
  /** The scanner reads a code: one HID POS report to whoever holds it open. */
  scan(code: string, aim = ']E0'): void {
    const bytes = Buffer.alloc(64);
    bytes[0] = 0x02;
    bytes[1] = code.length;
    bytes.write(aim, 2, 'latin1');
    bytes.write(code, 5, 'latin1');
    for (const h of this.handles) if (!h.closed) h.emit('data', bytes);
  }
  open = (): HidDeviceLike => {
    if (!this.plugged) throw new Error('no HID POS scanner 0c2e:0b61 is connected');
    const handle = new FakeHandle();
    this.handles.push(handle);
    return handle;
  };
}

const profile: DeviceProfile = {
  scanners: [{ kind: 'hid', id: 'hid-1', enabled: true, vendorId: 0x0c2e, productId: 0x0b61 }],
  printer: null,
  drawer: { kind: 'none' },
};

let dir: ReturnType<typeof tempDir>;
let t: TestContext;
let devices: DevicesService;
let usb: UsbPort;

beforeEach(() => {
  dir = tempDir('shopfloor-hid-');
  t = openTestContext(dir.path);
  usb = new UsbPort();
  devices = createDevicesService(t.ctx, { openHid: usb.open, statusPollMs: 0 });
});

afterEach(async () => {
  await devices.close();
  t.close();
  dir.cleanup();
});

describe('USB-HID scanner through the devices service (fake device behind node-hid’s interface)', () => {
  it('scans again after the scanner is unplugged and plugged back in, without a restart', async () => {
    usb.plugIn();
    await devices.saveProfile(profile, 'staff-1');
    await devices.start();
    const one = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === '6971111376183');
    usb.scan('6971111376183');
    await one;

    const lost = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === false);
    usb.unplug();
    await lost;
    const back = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === true);
    usb.plugIn();
    await back;
    const two = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === '6971111376190');
    usb.scan('6971111376190');
    expect(await two).toMatchObject({ source: 'hid', kind: 'product', code: '6971111376190' });
    // The handle of the unplugged scanner was released; only the new one is open.
    expect(usb.handles.filter((h) => !h.closed)).toHaveLength(1);
  });

  it('starts reading a scanner that was plugged in after the terminal started', async () => {
    await devices.saveProfile(profile, 'staff-1');
    await devices.start();
    const away = devices.status().scanners[0]!;
    expect(away.connected).toBe(false);
    expect(away.errors.io).toBeGreaterThanOrEqual(1);
    expect(away.lastError).toMatch(/no HID POS scanner/);
    const connected = nextEvent(t.ctx.events, 'devices.status', (s) => s.scanners[0]?.connected === true);
    usb.plugIn();
    await connected;
    const scanned = nextEvent(t.ctx.events, 'scanned', (s) => s.raw === '6971111376183');
    usb.scan('6971111376183');
    expect(await scanned).toMatchObject({ source: 'hid', kind: 'product' });
  });
});
