import { describe, expect, it } from 'vitest';
import type * as NodeHid from 'node-hid';
import { AppError } from '../api/errors.js';
import { listHid } from './discovery.js';

/** node-hid as a machine without libusb-1.0 has it: the module loads, its binding fails on the first call. */
function bindingFailing(message: string): () => typeof NodeHid {
  return () => ({ devicesAsync: () => Promise.reject(new Error(message)) }) as unknown as typeof NodeHid;
}

describe('HID discovery', () => {
  it('says libusb-1.0 is missing when node-hid’s binding cannot load it, instead of failing vaguely', async () => {
    const attempt = listHid(bindingFailing('libusb-1.0.so.0: cannot open shared object file: No such file or directory'));
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'DEVICE_UNAVAILABLE',
      message: 'USB-HID unavailable: libusb-1.0 is not installed',
    });
  });

  it('names any other reason the HID stack cannot load', async () => {
    const load = () => {
      throw new Error('Could not locate the bindings file');
    };
    await expect(listHid(load)).rejects.toMatchObject({
      code: 'DEVICE_UNAVAILABLE',
      message: 'USB-HID unavailable: Could not locate the bindings file',
    });
  });

  it('lists what the binding reports, POS scanners flagged', async () => {
    const load = () =>
      ({
        devicesAsync: async () => [
          {
            path: '/dev/hidraw0',
            vendorId: 0x05e0,
            productId: 0x1200,
            usagePage: 0x8c,
            usage: 2,
            product: 'Scanner',
            manufacturer: 'Zebra',
          },
          { path: '/dev/hidraw1', vendorId: 0x046d, productId: 0xc31c, usagePage: 1, usage: 6 },
        ],
      }) as unknown as typeof NodeHid;
    expect(await listHid(load)).toEqual([
      {
        path: '/dev/hidraw0',
        vendorId: 0x05e0,
        productId: 0x1200,
        product: 'Scanner',
        manufacturer: 'Zebra',
        usagePage: 0x8c,
        usage: 2,
        posScanner: true,
      },
      {
        path: '/dev/hidraw1',
        vendorId: 0x046d,
        productId: 0xc31c,
        product: null,
        manufacturer: null,
        usagePage: 1,
        usage: 6,
        posScanner: false,
      },
    ]);
  });
});
