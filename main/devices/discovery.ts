import { createRequire } from 'node:module';
import type * as NodeHidModule from 'node-hid';
import type { HidDeviceInfo, SerialPortInfo } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { HID_POS_USAGE_PAGE } from '../../native/scanner/hid-scanner.js';
import type { HidDeviceLike } from '../../native/scanner/hid-scanner.js';

// node-hid is a native module: loaded on first use so a terminal whose build lacks it still starts.
const require = createRequire(import.meta.url);
type NodeHid = typeof NodeHidModule;
function nodeHid(): NodeHid {
  return require('node-hid') as NodeHid;
}

/**
 * What the terminal says when the HID stack cannot load. node-hid's prebuilt Linux binding links
 * libusb-1.0.so.0 (Debian's libusb-1.0-0), which a fresh machine lacks: the binding then fails on
 * its first call, and IT must be told which library to install rather than see a list that never comes.
 */
export function hidUnavailable(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(
    'DEVICE_UNAVAILABLE',
    /libusb-1\.0/.test(message) ? 'USB-HID unavailable: libusb-1.0 is not installed' : `USB-HID unavailable: ${message}`,
  );
}

/** Runs a node-hid call; a binding that cannot load becomes DEVICE_UNAVAILABLE naming what is missing. */
export async function withHid<T>(use: (hid: NodeHid) => T | Promise<T>, load: () => NodeHid = nodeHid): Promise<T> {
  try {
    return await use(load());
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw hidUnavailable(error);
  }
}

/** Serial ports the OS sees now (serialport's list). */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  const { SerialPort } = await import('serialport');
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    manufacturer: p.manufacturer ?? null,
    serialNumber: p.serialNumber ?? null,
    vendorId: p.vendorId ?? null,
    productId: p.productId ?? null,
  }));
}

/** HID devices the OS sees now; the ones on the HID POS usage page are barcode scanners the HID driver reads. */
export async function listHid(load: () => NodeHid = nodeHid): Promise<HidDeviceInfo[]> {
  const devices = await withHid((hid) => hid.devicesAsync(), load);
  return devices.map((d) => ({
    path: d.path ?? null,
    vendorId: d.vendorId,
    productId: d.productId,
    product: d.product ?? null,
    manufacturer: d.manufacturer ?? null,
    usagePage: d.usagePage ?? null,
    usage: d.usage ?? null,
    posScanner: d.usagePage === HID_POS_USAGE_PAGE,
  }));
}

/** Opens the HID POS interface of a scanner (a scanner also exposes a keyboard interface: that one is skipped). */
export function openHid(vendorId: number, productId: number): HidDeviceLike {
  const hid = nodeHid();
  let devices: ReturnType<NodeHid['devices']>;
  try {
    devices = hid.devices(vendorId, productId);
  } catch (error) {
    throw hidUnavailable(error);
  }
  const pos = devices.find((d) => d.usagePage === HID_POS_USAGE_PAGE && d.path);
  if (!pos?.path)
    throw new Error(`no HID POS scanner ${vendorId.toString(16).padStart(4, '0')}:${productId.toString(16).padStart(4, '0')} is connected`);
  return new hid.HID(pos.path) as unknown as HidDeviceLike;
}
