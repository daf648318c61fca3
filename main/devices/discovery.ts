import { createRequire } from 'node:module';
import type * as NodeHidModule from 'node-hid';
import type { HidDeviceInfo, SerialPortInfo } from '../api/contract.js';
import { HID_POS_USAGE_PAGE } from '../../native/scanner/hid-scanner.js';
import type { HidDeviceLike } from '../../native/scanner/hid-scanner.js';

// node-hid is a native module: loaded on first use so a terminal whose build lacks it still starts.
const require = createRequire(import.meta.url);
type NodeHid = typeof NodeHidModule;
function nodeHid(): NodeHid {
  return require('node-hid') as NodeHid;
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
export async function listHid(): Promise<HidDeviceInfo[]> {
  const devices = await nodeHid().devicesAsync();
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
  const pos = hid.devices(vendorId, productId).find((d) => d.usagePage === HID_POS_USAGE_PAGE && d.path);
  if (!pos?.path) throw new Error(`no HID POS scanner ${vendorId.toString(16).padStart(4, '0')}:${productId.toString(16).padStart(4, '0')} is connected`);
  return new hid.HID(pos.path) as unknown as HidDeviceLike;
}
