import type { ReceiptDocument } from '../../native/printer/receipt-document.js';

/** Why the drawer opened: recorded with the opening (`device.drawer_opened`) and shown in the audit trail. */
export type DrawerReason = {
  kind: 'cash_sale' | 'no_sale' | 'paid_in' | 'paid_out' | 'cash_up' | 'test';
  /** Who was logged in; null for a hardware test with nobody logged in. */
  staffId: string | null;
  /** The manager who approved the opening, where it needed one. */
  approvedBy?: string;
  note?: string;
};

/**
 * The printer and drawer as the till's money domains (checkout, cash-up) use them. The devices
 * domain implements it over the real drivers (main/devices/peripherals.ts). A sale or cash
 * movement never waits on them to commit: a failure is reported to the cashier and the fact stands.
 */
export type Peripherals = {
  /** Kicks the cash drawer open. Rejects when the drawer (or the printer it hangs on) cannot be reached. */
  openDrawer(reason: DrawerReason & { kind: Exclude<DrawerReason['kind'], 'test'>; staffId: string }): Promise<void>;
  /** Queues a receipt for printing; resolves once the print queue took it, rejects when it is refused. */
  printReceipt(doc: ReceiptDocument): Promise<unknown>;
};

/** No printer or drawer attached: both calls reject with a reason, so the UI says "not printed" instead of pretending. */
export const noPeripherals: Peripherals = {
  openDrawer: () => Promise.reject(new Error('No cash drawer is connected to this terminal yet')),
  printReceipt: () => Promise.reject(new Error('No receipt printer is connected to this terminal yet')),
};

/** A peripheral call that must not undo what was committed: its failure is reported, never thrown. Ten seconds at most. */
export async function attempt(run: () => Promise<unknown>): Promise<{ sent: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the device did not answer within 10 s')), 10_000);
        timer.unref();
      }),
    ]);
    return { sent: true };
  } catch (error) {
    return { sent: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
