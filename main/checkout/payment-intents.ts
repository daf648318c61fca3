import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../api/errors.js';
import { yuan } from '../../sync/protocol/money.js';
import type { CartData } from './cart.js';
import type { MobileMethod } from './payments.js';

/**
 * A gateway call written down before it is made. The cart lives in memory; the money a gateway
 * moves does not. Each charge, void and refund is recorded here (keyed by the idempotency key the
 * gateway sees) before the call and updated after it, and the sale's commit settles its intents in
 * the same transaction (sale-commit.ts). What is left open after a crash is what the gateway may have done for a
 * cart that no longer exists: a charge is reversed, a refund's return is finished by the cashier.
 *
 * States: `pending` (asked, no answer yet — the outcome is unknown), `paid`, `failed` (the gateway
 * said no, for good: a refund's next attempt is a new key, payment-service.ts), `settled` (in a sale), `voided` (a charge refunded while the cart was open),
 * `reversed` (a charge cancelled by recovery).
 */
export type IntentState = 'pending' | 'paid' | 'failed' | 'settled' | 'voided' | 'reversed';

/** The return a refund paid for — the whole cart — so it can be finished as it was if the terminal restarts before it is recorded. */
export type RefundDetail = { saleId: string; receiptNo: string; cart: CartData };

export type PaymentIntent = {
  id: string;
  cartId: string;
  kind: 'charge' | 'refund';
  method: MobileMethod;
  amountFen: number;
  /** A refund: the payment it refunds. */
  originalRef: string | null;
  state: IntentState;
  providerRef: string | null;
  saleId: string | null;
  detail: RefundDetail | null;
  createdAt: string;
  /** The till instance that wrote it (till-lease.ts); null: written before tills had owners (device migration 14). */
  owner: string | null;
};

type Row = {
  id: string;
  cart_id: string;
  kind: 'charge' | 'refund';
  method: MobileMethod;
  amount_fen: number;
  original_ref: string | null;
  state: IntentState;
  provider_ref: string | null;
  sale_id: string | null;
  detail: string | null;
  created_at: string;
  owner: string | null;
};

const toIntent = (r: Row): PaymentIntent => ({
  id: r.id,
  cartId: r.cart_id,
  kind: r.kind,
  method: r.method,
  amountFen: r.amount_fen,
  originalRef: r.original_ref,
  state: r.state,
  providerRef: r.provider_ref,
  saleId: r.sale_id,
  detail: r.detail ? (JSON.parse(r.detail) as RefundDetail) : null,
  createdAt: r.created_at,
  owner: r.owner,
});

export type NewIntent = Pick<PaymentIntent, 'id' | 'cartId' | 'kind' | 'method' | 'amountFen'> & {
  originalRef?: string | null;
  detail?: RefundDetail | null;
};

export class PaymentIntents {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], Row>;
  private readonly update: Statement<[IntentState, string | null, string, string]>;
  private readonly open: Statement<[], Row>;
  private readonly refundsOf: Statement<[string], Row>;
  private readonly takeOver: Statement<[string, string, string, string | null]>;
  private readonly close: Statement<[string, string]>;

  /** `owner`: this till instance (TillLease.id), written on every intent it begins. */
  constructor(
    db: Database,
    private readonly clock: () => Date,
    private readonly owner: string,
  ) {
    this.insert = db.prepare(`INSERT INTO payment_intent
      (id, cart_id, kind, method, amount_fen, original_ref, state, detail, created_at, updated_at, owner)
      VALUES (@id, @cartId, @kind, @method, @amountFen, @originalRef, 'pending', @detail, @at, @at, @owner)
      ON CONFLICT (id) DO NOTHING`);
    this.takeOver = db.prepare(
      "UPDATE payment_intent SET owner = ?, updated_at = ? WHERE id = ? AND owner IS ? AND state IN ('pending', 'paid')",
    );
    this.close = db.prepare("UPDATE payment_intent SET state = 'reversed', updated_at = ? WHERE id = ? AND state IN ('pending', 'paid')");
    this.byId = db.prepare('SELECT * FROM payment_intent WHERE id = ?');
    // Only an open intent moves: one another till's recovery reversed meanwhile stays reversed (and audited once).
    this.update = db.prepare(
      "UPDATE payment_intent SET state = ?, provider_ref = coalesce(?, provider_ref), updated_at = ? WHERE id = ? AND state IN ('pending', 'paid')",
    );
    this.open = db.prepare("SELECT * FROM payment_intent WHERE state IN ('pending', 'paid') ORDER BY created_at, id");
    this.refundsOf = db.prepare(
      "SELECT * FROM payment_intent WHERE kind = 'refund' AND state IN ('pending', 'paid') AND json_extract(detail, '$.saleId') = ? ORDER BY created_at, id",
    );
  }

  /**
   * Writes the intent down before the gateway is asked. A key used before answers its first
   * intent: the same amount is the same request again (the gateway answers it once); another
   * amount under the same key is a bug the gateway would refuse, so it is refused here first.
   */
  begin(i: NewIntent): PaymentIntent {
    this.insert.run({
      ...i,
      originalRef: i.originalRef ?? null,
      detail: i.detail ? JSON.stringify(i.detail) : null,
      at: this.clock().toISOString(),
      owner: this.owner,
    });
    const intent = this.get(i.id)!;
    if (intent.amountFen !== i.amountFen || intent.kind !== i.kind) {
      throw new AppError(
        'CONFLICT',
        `A ${intent.kind} of ${yuan(intent.amountFen)} was already made under this key; this one comes to ${yuan(i.amountFen)}: keep the return as it was`,
      );
    }
    return intent;
  }

  get(id: string): PaymentIntent | undefined {
    const row = this.byId.get(id);
    return row && toIntent(row);
  }

  /**
   * Records the gateway's answer on an open intent; answers false if it was not open any more:
   * another till's recovery reversed it while this till waited (it took this till for dead).
   */
  mark(id: string, state: Exclude<IntentState, 'pending' | 'settled'>, providerRef: string | null = null): boolean {
    return this.update.run(state, providerRef, this.clock().toISOString(), id).changes === 1;
  }

  /**
   * Makes this till the owner of an open intent that `from` owned (a till gone, or null: from before
   * owners). Answers false if it is not `from`'s any more, or no longer open: another till took it
   * over first — of two tills recovering one dead till's charge, only one asks the gateway.
   */
  claim(id: string, from: string | null): boolean {
    return this.takeOver.run(this.owner, this.clock().toISOString(), id, from).changes === 1;
  }

  /**
   * Whether another till's recovery made this till's intent its own: it took this till for dead
   * (its lease lapsed) and is reversing the charge, or has. Once taken over, the reversal goes
   * ahead whatever this till does, so its cart must not record the charge.
   */
  takenOver(i: PaymentIntent): boolean {
    return i.owner !== null && i.owner !== this.owner;
  }

  /** Marks an open intent reversed; answers false if it was not open (recorded or reversed already). */
  markReversed(id: string): boolean {
    return this.close.run(this.clock().toISOString(), id).changes === 1;
  }

  /** Everything the gateway may have done that no sale records yet. */
  unsettled(): PaymentIntent[] {
    return this.open.all().map(toIntent);
  }

  /** Refunds paid (or asked) against `saleId` whose return is not recorded yet. */
  openRefunds(saleId: string): PaymentIntent[] {
    return this.refundsOf.all(saleId).map(toIntent);
  }
}
