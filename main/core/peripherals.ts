import type { TillDrawer } from '../api/contract.js';
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
  /**
   * Kicks the cash drawer open. Rejects when the drawer (or the printer it hangs on) cannot be
   * reached, and without kicking once `deadline` refuses the claim (the failure was reported).
   */
  openDrawer(reason: DrawerReason & { kind: Exclude<DrawerReason['kind'], 'test'>; staffId: string }, deadline?: Deadline): Promise<void>;
  /** Queues a receipt for printing; resolves once the print queue took it, rejects when it is refused. */
  printReceipt(doc: ReceiptDocument): Promise<unknown>;
};

/** No printer or drawer attached: both calls reject with a reason, so the UI says "not printed" instead of pretending. */
export const noPeripherals: Peripherals = {
  openDrawer: () => Promise.reject(new Error('No cash drawer is connected to this terminal yet')),
  printReceipt: () => Promise.reject(new Error('No receipt printer is connected to this terminal yet')),
};

/**
 * What `attempt` hands a peripheral call. The call claims it right before the step that cannot be
 * taken back (the kick pulse leaving for the drawer). Once `attempt` has reported the call failed,
 * the claim is refused and the step must not be taken: a cashier told "the drawer did not open"
 * opens it with a logged no-sale, and a drawer springing open later, unattended, would be an
 * opening nobody was there for. A claim made in time stays: if the call then does not finish
 * before the deadline, the report says it may have acted, not that it failed.
 */
export type Deadline = {
  /** True: go ahead. False: the call was already reported failed — do nothing irreversible. */
  claim(): boolean;
};

/** For calls nobody reports on before they finish. */
export const NO_DEADLINE: Deadline = { claim: () => true };

/** What `attempt` reports; `uncertain`: the device took the command but did not confirm in time. */
export type Attempted = { sent: boolean; uncertain?: true; error?: string };

/** What a drawer kick made through `attempt` did, as the sale and cash-up screens are told it. */
export function drawerOutcome(result: Attempted): TillDrawer {
  if (result.sent) return { opened: true };
  return { opened: false, ...(result.uncertain ? { uncertain: true as const } : {}), ...(result.error ? { error: result.error } : {}) };
}

/** A peripheral call that must not undo what was committed: its failure is reported, never thrown. Ten seconds at most. */
export async function attempt(run: (deadline: Deadline) => Promise<unknown>, timeoutMs = 10_000): Promise<Attempted> {
  let state: 'waiting' | 'claimed' | 'expired' = 'waiting';
  const deadline: Deadline = {
    claim: () => {
      if (state === 'expired') return false;
      state = 'claimed';
      return true;
    },
  };
  const seconds = `${timeoutMs / 1000} s`;
  let timer: NodeJS.Timeout | undefined;
  let uncertain = false;
  try {
    await Promise.race([
      run(deadline),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          if (state === 'claimed') {
            uncertain = true;
            reject(new Error(`the device took the command but did not confirm it within ${seconds}: it may have acted`));
          } else {
            state = 'expired';
            reject(new Error(`the device did not answer within ${seconds}`));
          }
        }, timeoutMs);
        timer.unref();
      }),
    ]);
    return { sent: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return uncertain ? { sent: false, uncertain: true, error: message } : { sent: false, error: message };
  } finally {
    clearTimeout(timer);
  }
}
