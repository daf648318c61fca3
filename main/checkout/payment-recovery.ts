import type { OutboxContext } from '../store/outbox.js';
import { writeChange } from '../store/outbox.js';
import type { PaymentIntent, PaymentIntents } from './payment-intents.js';
import type { PaymentProvider } from './payments.js';
import type { TillLease } from './till-lease.js';

export type PaymentRecoveryDeps = {
  intents: PaymentIntents;
  payments: PaymentProvider;
  outbox: OutboxContext;
  isOnline: () => boolean;
  /** Whether a charge is a tender of the cart on the till now (that one is the cart's, not an orphan). */
  inCart: (intentId: string) => boolean;
  /** A payment step is waiting on the gateway: its charge has no tender yet, and is not an orphan. */
  paying: () => boolean;
  /** This till instance, which owns the intents it writes, and knows whether another till is gone. */
  lease: Pick<TillLease, 'id' | 'gone' | 'beat'>;
  log: (message: string) => void;
};

/** How often charges left without a cart are tried again while some remain. */
const RETRY_MS = 30_000;

/**
 * Money the gateway may hold for a cart that no longer exists — a charge whose answer never came,
 * or one taken before the terminal restarted — is given back: the charge is reversed (the
 * gateway pays it back if it went through and refuses it if it had not) and the reversal is
 * audited to HQ. Runs at start and every 30 s while the terminal runs; refunds are not reversed
 * (their return is finished by the cashier: ReturnsService.start).
 *
 * Several tills may share the store file: a charge another till wrote may be in that till's open
 * cart, its customer paying. Only this till's own charges are recovered, and another till's once
 * that till is gone (its lease lapsed or was released: TillLease) — taken over first, so of two
 * tills recovering it only one asks the gateway and audits. A charge from before tills had owners
 * (device migration 14) is recovered by any till, as it was then.
 */
export class PaymentRecovery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** stop() was called: the terminal is closing, its store with it. */
  private stopped = false;

  constructor(private readonly deps: PaymentRecoveryDeps) {}

  /** Charges the gateway may hold that no cart or sale will ever record. */
  orphans(): PaymentIntent[] {
    return this.deps.intents.unsettled().filter((i) => i.kind === 'charge' && !this.deps.inCart(i.id) && this.mayRecover(i));
  }

  private mayRecover(i: PaymentIntent): boolean {
    const { lease } = this.deps;
    return i.owner === null || i.owner === lease.id || lease.gone(i.owner);
  }

  /** Reverses one charge; answers whether the gateway confirmed it. */
  async reverse(intent: PaymentIntent, why: string): Promise<boolean> {
    let answer: Awaited<ReturnType<PaymentProvider['reverse']>>;
    try {
      answer = await this.deps.payments.reverse({ method: intent.method, requestId: intent.id });
    } catch (error) {
      this.deps.log(`payments: reversing ${intent.id} failed (${error instanceof Error ? error.message : String(error)}); will retry`);
      return false;
    }
    if (!answer.ok) {
      this.deps.log(`payments: the gateway refused to reverse ${intent.id} (${answer.reason}); will retry`);
      return false;
    }
    const { outbox, intents } = this.deps;
    // Audited once: a reversal another till (or pass) recorded first is not audited again.
    outbox.db
      .transaction(() => {
        if (!['pending', 'paid'].includes(intents.get(intent.id)?.state ?? '')) return;
        writeChange(
          outbox,
          {
            type: 'device.payment_reversed',
            payload: {
              requestId: intent.id,
              method: intent.method,
              amountFen: intent.amountFen,
              providerRef: intent.providerRef,
              wasPaid: intent.state === 'paid',
              why,
              takenAt: intent.createdAt,
            },
            staffId: null,
          },
          () => intents.markReversed(intent.id),
        );
      })
      .immediate();
    return true;
  }

  /** One pass over the orphans; answers how many are left. One pass at a time. */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Runs now, and again every 30 s until stop() — not only while charges are left: another till on
   * this store file may die with a charge in its cart, and this may be the till left to give it back.
   */
  start(): void {
    if (this.stopped) return;
    const tick = () =>
      void this.run().catch((error: unknown) => {
        // A pass that ends after stop() touches nothing, and reports nothing: the store may be closed by now.
        if (!this.stopped)
          this.deps.log(`payments: recovery failed (${error instanceof Error ? error.message : String(error)}); will retry`);
      });
    this.timer ??= setInterval(tick, RETRY_MS).unref();
    tick();
  }

  /** For good: the terminal is closing. A pass under way stops before its next charge. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Makes another till's (or nobody's) charge this till's before the gateway is asked, if its till
   * is still gone now (the pass may have waited on the gateway since it listed it). One another till
   * took over first is that till's to finish: answers false.
   */
  private takeOver(intent: PaymentIntent): boolean {
    const { lease, intents, outbox } = this.deps;
    const owner = intent.owner;
    if (owner === lease.id) return true;
    return outbox.db.transaction(() => (owner === null || lease.gone(owner)) && intents.claim(intent.id, owner)).immediate();
  }

  private async pass(): Promise<number> {
    // Before judging other tills' leases: this till is running (and notices if it slept).
    this.deps.lease.beat();
    if (this.deps.paying()) return this.orphans().length;
    let left = 0;
    for (const intent of this.orphans()) {
      if (this.stopped) break;
      if (!this.deps.isOnline()) {
        left += 1;
        continue;
      }
      if (!this.takeOver(intent)) continue;
      if (!(await this.reverse(intent, 'no sale records this charge (its cart was lost)'))) left += 1;
    }
    return left;
  }
}
