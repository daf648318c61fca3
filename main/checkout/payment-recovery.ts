import type { OutboxContext } from '../store/outbox.js';
import { writeChange } from '../store/outbox.js';
import type { PaymentIntent, PaymentIntents } from './payment-intents.js';
import type { PaymentProvider } from './payments.js';

export type PaymentRecoveryDeps = {
  intents: PaymentIntents;
  payments: PaymentProvider;
  outbox: OutboxContext;
  isOnline: () => boolean;
  /** Whether a charge is a tender of the cart on the till now (that one is the cart's, not an orphan). */
  inCart: (intentId: string) => boolean;
  /** A payment step is waiting on the gateway: its charge has no tender yet, and is not an orphan. */
  paying: () => boolean;
  log: (message: string) => void;
};

/** How often charges left without a cart are tried again while some remain. */
const RETRY_MS = 30_000;

/**
 * Money the gateway may hold for a cart that no longer exists — a charge whose answer never came,
 * or one taken before the terminal restarted — is given back: the charge is reversed (the
 * gateway pays it back if it went through and refuses it if it had not) and the reversal is
 * audited to HQ. Runs at start and every 30 s while charges are left; refunds are not reversed
 * (their return is finished by the cashier: ReturnsService.start).
 */
export class PaymentRecovery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** stop() was called: the terminal is closing, its store with it. */
  private stopped = false;

  constructor(private readonly deps: PaymentRecoveryDeps) {}

  /** Charges the gateway may hold that no cart or sale will ever record. */
  orphans(): PaymentIntent[] {
    return this.deps.intents.unsettled().filter((i) => i.kind === 'charge' && !this.deps.inCart(i.id));
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
    const { outbox } = this.deps;
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
      () => this.deps.intents.mark(intent.id, 'reversed'),
    );
    return true;
  }

  /** One pass over the orphans; answers how many are left. One pass at a time. */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs now, and again every 30 s while charges are left, until stop(). */
  start(): void {
    if (this.stopped) return;
    const tick = () =>
      void this.run()
        .then((passed) => {
          // A pass that ends after stop() touches nothing: the store may be closed by now.
          if (this.stopped) return;
          // Counted again now: a charge lost while the pass ran (the payment step starts recovery then,
          // and joins that pass) is not among those the pass went over, and must keep the retries going.
          const left = passed > 0 ? passed : this.orphans().length;
          if (left > 0 && !this.timer) this.timer = setInterval(tick, RETRY_MS).unref();
          if (left === 0) this.idle();
        })
        .catch((error: unknown) => {
          if (!this.stopped)
            this.deps.log(`payments: recovery failed (${error instanceof Error ? error.message : String(error)}); will retry`);
        });
    tick();
  }

  /** For good: the terminal is closing. A pass under way stops before its next charge. */
  stop(): void {
    this.stopped = true;
    this.idle();
  }

  private idle(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pass(): Promise<number> {
    if (this.deps.paying()) return this.orphans().length;
    let left = 0;
    for (const intent of this.orphans()) {
      if (this.stopped) break;
      if (!this.deps.isOnline() || !(await this.reverse(intent, 'no sale records this charge (its cart was lost)'))) left += 1;
    }
    return left;
  }
}
