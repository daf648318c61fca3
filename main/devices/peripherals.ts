import type { Peripherals } from '../core/peripherals.js';
import type { DevicesService } from './devices-service.js';

/**
 * The till's printer and drawer (core/peripherals.ts) over the devices service: a receipt is
 * queued and answers at once with its job (a sale never waits for paper: the print queue prints
 * it, holds it on paper-out and survives a restart; `job.id` is what `devices.receiptPreview`
 * takes), and a drawer kick is logged with who and why.
 */
export function devicePeripherals(devices: DevicesService): Peripherals {
  return {
    openDrawer: async (reason, deadline) => {
      await devices.openDrawer(reason, deadline);
    },
    printReceipt: async (doc) => devices.printReceipt(doc),
  };
}
