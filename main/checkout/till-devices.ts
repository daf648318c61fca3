import type { ReceiptDocument } from '../../native/printer/receipt-document.js';

/** Why the drawer opens: recorded by the drawer driver and shown in the audit trail. */
export type DrawerReason = {
  kind: 'cash_sale' | 'no_sale' | 'paid_in' | 'paid_out' | 'cash_up';
  staffId: string;
  note?: string;
};

/**
 * The till's peripherals as checkout needs them. The peripherals work implements this over the
 * real printer and drawer drivers; checkout never waits on them to commit a sale: a failure
 * (rejected promise) is reported to the cashier and the sale stands.
 */
export type TillDevices = {
  /** Kicks the cash drawer open. Rejects when the drawer (or the printer it hangs on) cannot be reached. */
  openDrawer(reason: DrawerReason): Promise<void>;
  /**
   * Queues a receipt for printing. Resolves once the print job is accepted (with whatever the
   * driver reports about the job, which checkout ignores); rejects when it is refused.
   */
  printReceipt(doc: ReceiptDocument): Promise<unknown>;
};

/**
 * Until the peripherals are wired: nothing is attached, so both calls reject with a reason and the
 * UI says "receipt not printed" / "drawer not opened" instead of pretending it happened.
 */
export const noTillDevices: TillDevices = {
  openDrawer: () => Promise.reject(new Error('No cash drawer is connected to this terminal yet')),
  printReceipt: () => Promise.reject(new Error('No receipt printer is connected to this terminal yet')),
};
