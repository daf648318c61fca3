import type { PrintJobView } from '../api/contract.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import type { DevicesService, DrawerReason } from './devices-service.js';

/** What checkout asks of the till's hardware (the shape of checkout's `TillDevices`). */
export type TillDevicesImpl = {
  /** Kicks the drawer and logs who and why; rejects with DEVICE_NOT_CONFIGURED / DEVICE_UNAVAILABLE. */
  openDrawer(reason: { kind: Exclude<DrawerReason['kind'], 'test'>; staffId: string; note?: string }): Promise<void>;
  /**
   * Queues the receipt and resolves at once with its job (a sale never waits for paper): the
   * print queue prints it, holds it on paper-out, and survives a restart. Use `job.id` for
   * `devices.receiptPreview`.
   */
  printReceipt(doc: ReceiptDocument): Promise<PrintJobView>;
};

/** Builds checkout's TillDevices over the devices service. */
export function tillDevices(devices: DevicesService): TillDevicesImpl {
  return {
    openDrawer: async (reason) => {
      await devices.openDrawer({ kind: reason.kind, staffId: reason.staffId, ...(reason.note === undefined ? {} : { note: reason.note }) });
    },
    printReceipt: async (doc) => devices.printReceipt(doc),
  };
}
