import type { Sql } from '../db.js';
import { IN_SERVICE_LIMIT, stampHqClock } from './policy.js';

/**
 * Transfers of customers between guides, the rules chains know from WeCom's customer inheritance:
 * - the new guide serves the customer at once (customer.guide_id changes now, so service credit
 *   moves from this instant), marked "taking over" until the takeover window ends;
 * - within the window the customer may decline (declineTransfer): they go to the store pool;
 * - in-service moves (a manager rebalancing, a guide moving store, a device's reassignment) are
 *   refused past IN_SERVICE_LIMIT per customer; an offboarding is never limited;
 * - every batch has the caller's request id (asking again answers the same batch) and a result per
 *   customer the caller can read back: waiting, done, declined, refused_limit, refused, overtaken
 *   (another guide had the customer before the window ended).
 */

export type TransferKind = 'offboarding' | 'rebalance' | 'store_move' | 'assign';
export type TransferRule = 'successor' | 'spread' | 'pool' | 'explicit';
/** `overtaken`: the customer's guide changed again within the takeover window (HQ migration 0020). */
export type TransferStatus = 'waiting' | 'done' | 'declined' | 'refused_limit' | 'refused' | 'overtaken';
export const TRANSFER_STATUSES: readonly TransferStatus[] = ['waiting', 'done', 'declined', 'refused_limit', 'refused', 'overtaken'];
const IN_SERVICE: readonly TransferKind[] = ['rebalance', 'store_move', 'assign'];

export type TransferBatch = {
  requestId: string;
  kind: TransferKind;
  storeId: string;
  fromGuideId: string | null;
  rule: TransferRule;
  reason: string;
  /** 0: the transfer completes at once, no takeover window. */
  takeoverHours: number;
  createdBy: string;
};

/** One customer to move; `toGuideId` null: the store pool. */
export type Move = { customerId: string; toGuideId: string | null };

export type BatchSummary = {
  requestId: string;
  kind: TransferKind;
  rule: TransferRule;
  storeId: string | null;
  fromGuideId: string | null;
  reason: string;
  takeoverHours: number;
  createdBy: string;
  createdAt: string;
  customers: number;
  counts: Record<TransferStatus, number>;
  /** False: a batch with this request id already existed; it was answered, not done again. */
  created: boolean;
};

export type TransferResult = {
  n: number;
  customerId: string;
  fromGuideId: string | null;
  toGuideId: string | null;
  status: TransferStatus;
  reason: string;
  completeAfter: string | null;
  completedAt: string | null;
  declinedAt: string | null;
};

type Decided = {
  customerId: string;
  from: string | null;
  to: string | null;
  status: TransferStatus;
  reason: string;
  completeAfter: Date | null;
};

/**
 * Records a batch and applies it, in the caller's transaction: customers are locked in id order
 * (two batches touching the same customers never deadlock), each move is decided, and the moves
 * that pass change `customer.guide_id` in one statement. Idempotent by request id.
 */
export async function recordTransfers(sql: Sql, batch: TransferBatch, moves: readonly Move[], now: Date): Promise<BatchSummary> {
  await stampHqClock(sql, now);
  const created = await sql.query(
    `INSERT INTO transfer_batch (request_id, kind, store_id, from_guide_id, rule, reason, takeover_hours, created_by, created_at, customers)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (request_id) DO NOTHING RETURNING 1`,
    [
      batch.requestId,
      batch.kind,
      batch.storeId,
      batch.fromGuideId,
      batch.rule,
      batch.reason,
      batch.takeoverHours,
      batch.createdBy,
      now,
      moves.length,
    ],
  );
  if (created.length === 0) return { ...(await batchSummary(sql, batch.requestId))!, created: false };

  // The guides the batch gives customers to, FOR SHARE and before the customers: an offboarding of
  // one of them (which holds its guide FOR UPDATE) is waited for and seen, so no customer is given
  // to a guide it deactivates. Only those guides, so that a batch waits for no other offboarding.
  const targets = [...new Set(moves.flatMap((m) => (m.toGuideId === null ? [] : [m.toGuideId])))].sort();
  const guides = new Set(
    (
      await sql.query<{ id: string }>(
        `SELECT id FROM staff WHERE store_id = $1 AND active AND role IN ('guide', 'manager') AND id = ANY($2::text[]) ORDER BY id FOR SHARE`,
        [batch.storeId, targets],
      )
    ).map((s) => s.id),
  );
  const ids = [...new Set(moves.map((m) => m.customerId))].sort();
  const current = new Map(
    (
      await sql.query<{ id: string; store_id: string; guide_id: string | null }>(
        'SELECT id, store_id, guide_id FROM customer WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
        [ids],
      )
    ).map((c) => [c.id, c]),
  );
  const recent = IN_SERVICE.includes(batch.kind) ? await recentTransfers(sql, ids, now) : new Map<string, string[]>();
  const window = batch.takeoverHours * 3_600_000;
  const seen = new Set<string>();
  const decided = moves.map((move): Decided => {
    const customer = current.get(move.customerId);
    const base = { customerId: move.customerId, from: customer?.guide_id ?? null, to: move.toGuideId, completeAfter: null };
    const refuse = (status: TransferStatus, reason: string): Decided => ({ ...base, status, reason });
    if (seen.has(move.customerId)) return refuse('refused', 'the customer is twice in this batch');
    seen.add(move.customerId);
    if (!customer || customer.store_id !== batch.storeId)
      return refuse('refused', `no customer ${move.customerId} in store ${batch.storeId}`);
    if (move.toGuideId !== null && !guides.has(move.toGuideId))
      return refuse('refused', `${move.toGuideId} is not an active guide of store ${batch.storeId}`);
    if (move.toGuideId === customer.guide_id) return { ...base, status: 'done', reason: 'already with this guide' };
    const earlier = recent.get(move.customerId) ?? [];
    if (customer.guide_id !== null && earlier.length >= IN_SERVICE_LIMIT.transfers) {
      return refuse(
        'refused_limit',
        `transferred ${earlier.length} times in the last ${IN_SERVICE_LIMIT.days} days (${earlier.join(', ')}): at most ${IN_SERVICE_LIMIT.transfers}`,
      );
    }
    // From one guide to another: the successor serves at once and takes over after the window.
    // From the pool (a plain binding) or into the pool, nobody takes over: done now.
    const takesOver = customer.guide_id !== null && move.toGuideId !== null && window > 0;
    return {
      ...base,
      status: takesOver ? 'waiting' : 'done',
      reason: batch.reason,
      completeAfter: takesOver ? new Date(now.getTime() + window) : null,
    };
  });

  const moving = decided.filter((d) => d.status === 'waiting' || (d.status === 'done' && d.from !== d.to));
  if (moving.length > 0) {
    await movingGuides(sql, window > 0 ? new Date(now.getTime() + window) : 'none', () =>
      sql.query(`UPDATE customer c SET guide_id = m.to_guide FROM unnest($1::text[], $2::text[]) AS m(id, to_guide) WHERE c.id = m.id`, [
        moving.map((d) => d.customerId),
        moving.map((d) => d.to),
      ]),
    );
  }
  await sql.query(
    `INSERT INTO customer_transfer (request_id, n, customer_id, kind, from_guide_id, to_guide_id, status, reason, created_at, complete_after, completed_at)
     SELECT $1, t.n, t.customer_id, $2, t.from_guide, t.to_guide, t.status, t.reason, $3, t.complete_after, CASE WHEN t.status = 'done' THEN $3::timestamptz END
       FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
            AS t(n, customer_id, from_guide, to_guide, status, reason, complete_after)`,
    [
      batch.requestId,
      batch.kind,
      now,
      decided.map((_, i) => i + 1),
      decided.map((d) => d.customerId),
      decided.map((d) => d.from),
      decided.map((d) => d.to),
      decided.map((d) => d.status),
      decided.map((d) => d.reason),
      decided.map((d) => d.completeAfter),
    ],
  );
  return { ...(await batchSummary(sql, batch.requestId))!, created: true };
}

/**
 * Runs `update`, a statement that changes customers' guides, with the customer book's trigger told
 * the takeover to write in the one update of each moved customer's profile it makes (HQ migration
 * 0014): from the old guide until `until` where both guides are guides, from nobody where either is
 * the pool or `until` is 'none'. Told for that statement only; an error aborts the transaction (or
 * its savepoint), which takes the setting back with it.
 */
export async function movingGuides<T>(sql: Sql, until: Date | 'none', update: () => Promise<T>): Promise<T> {
  await sql.query("SELECT set_config('sf.takeover_until', $1, true)", [until === 'none' ? until : until.toISOString()]);
  const result = await update();
  await sql.query("SELECT set_config('sf.takeover_until', '', true)");
  return result;
}

/** Per customer, the dates of in-service transfers within the limit's window that count (not refused ones). */
async function recentTransfers(sql: Sql, ids: readonly string[], now: Date): Promise<Map<string, string[]>> {
  const since = new Date(now.getTime() - IN_SERVICE_LIMIT.days * 86_400_000);
  const rows = await sql.query<{ customer_id: string; at: string[] }>(
    `SELECT customer_id, array_agg(to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') ORDER BY created_at) AS at
       FROM customer_transfer
      WHERE customer_id = ANY($1::text[]) AND kind = ANY($2::text[]) AND status IN ('waiting', 'done', 'declined', 'overtaken') AND created_at > $3
        AND from_guide_id IS DISTINCT FROM to_guide_id
      GROUP BY customer_id`,
    [ids, IN_SERVICE, since],
  );
  return new Map(rows.map((r) => [r.customer_id, r.at]));
}

/** Transfers whose takeover window has ended complete; the customers are no longer "taking over". Any HQ process may run it. */
export async function settleTransfers(sql: Sql, now: Date): Promise<number> {
  const rows = await sql.query<{ customer_id: string }>(
    `WITH done AS (
       UPDATE customer_transfer SET status = 'done', completed_at = $1 WHERE status = 'waiting' AND complete_after <= $1 RETURNING customer_id
     ), cleared AS (
       UPDATE customer_profile p SET takeover_from = NULL, takeover_until = NULL, updated_at = $1
        WHERE p.customer_id IN (SELECT customer_id FROM done)
          AND NOT EXISTS (SELECT 1 FROM customer_transfer t WHERE t.customer_id = p.customer_id AND t.status = 'waiting' AND t.complete_after > $1)
     )
     SELECT customer_id FROM done`,
    [now],
  );
  return rows.length;
}

export class TransferError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/**
 * The customer declined the transfer that is waiting for them (told by the new guide, or through
 * the mini-program): it is recorded as declined, and they go to the store pool.
 */
export async function declineTransfer(
  sql: Sql,
  customerId: string,
  by: string,
  now: Date,
): Promise<TransferResult & { requestId: string }> {
  await stampHqClock(sql, now);
  // The customer first, as a transfer locks them: a move of theirs in progress is waited for, and the
  // decline is then of the transfer waiting for them after it (never one it replaced, whose
  // takeover mark the decline would clear from under the new one).
  const [customer] = await sql.query<{ guide_id: string | null }>('SELECT guide_id FROM customer WHERE id = $1 FOR UPDATE', [customerId]);
  await settleTransfers(sql, now);
  // The transfer waiting for them (a change of guide overtakes any other, so there is one at most);
  // else the latest overtaken one whose window is still open, to say why there is nothing to decline.
  const [waiting] = await sql.query<{ request_id: string; n: number; to_guide_id: string | null; status: TransferStatus }>(
    `SELECT request_id, n, to_guide_id, status FROM customer_transfer
      WHERE customer_id = $1 AND (status = 'waiting' OR (status = 'overtaken' AND complete_after > $2))
      ORDER BY status = 'waiting' DESC, created_at DESC LIMIT 1 FOR UPDATE`,
    [customerId, now],
  );
  if (!waiting) throw new TransferError(409, `no transfer of customer ${customerId} is in its takeover window`);
  // A guide's own scan may have bound them since (past the protection period), which ends the
  // takeover but not the transfer's window: the change of guide marked it overtaken (HQ migration
  // 0020), there is no transfer left to decline, and recording one as declined would tell finance
  // and the store what did not happen. The customer's guide is checked as well: a transfer left
  // waiting by a change of guide the trigger did not see (one made before the upgrade to 0020, which marks those as well) is no more declinable.
  if (waiting.status === 'overtaken' || (customer && customer.guide_id !== waiting.to_guide_id)) {
    throw new TransferError(
      409,
      `customer ${customerId} has been bound to ${customer?.guide_id ?? 'no guide'} since the transfer to ${waiting.to_guide_id ?? 'the pool'}: nothing to decline`,
    );
  }
  await sql.query(`UPDATE customer_transfer SET status = 'declined', declined_at = $3, declined_by = $4 WHERE request_id = $1 AND n = $2`, [
    waiting.request_id,
    waiting.n,
    now,
    by,
  ]);
  await sql.query('UPDATE customer SET guide_id = NULL WHERE id = $1', [customerId]);
  await sql.query('UPDATE customer_profile SET takeover_from = NULL, takeover_until = NULL, updated_at = $2 WHERE customer_id = $1', [
    customerId,
    now,
  ]);
  const [result] = await transferResults(sql, waiting.request_id, { after: waiting.n - 1, limit: 1 });
  return { ...result!, requestId: waiting.request_id };
}

type BatchRow = {
  request_id: string;
  kind: TransferKind;
  rule: TransferRule;
  store_id: string | null;
  from_guide_id: string | null;
  reason: string;
  takeover_hours: number;
  created_by: string;
  created_at: Date;
  customers: number;
};

export async function batchSummary(sql: Sql, requestId: string): Promise<Omit<BatchSummary, 'created'> | null> {
  const [b] = await sql.query<BatchRow>('SELECT * FROM transfer_batch WHERE request_id = $1', [requestId]);
  if (!b) return null;
  const counts = Object.fromEntries(TRANSFER_STATUSES.map((s) => [s, 0])) as Record<TransferStatus, number>;
  for (const r of await sql.query<{ status: TransferStatus; n: number }>(
    'SELECT status, count(*)::int AS n FROM customer_transfer WHERE request_id = $1 GROUP BY status',
    [requestId],
  )) {
    counts[r.status] = r.n;
  }
  return {
    requestId: b.request_id,
    kind: b.kind,
    rule: b.rule,
    storeId: b.store_id,
    fromGuideId: b.from_guide_id,
    reason: b.reason,
    takeoverHours: b.takeover_hours,
    createdBy: b.created_by,
    createdAt: b.created_at.toISOString(),
    customers: b.customers,
    counts,
  };
}

/** One page of a batch's per-customer results, in the batch's order (after `after`, the last `n` read). */
export async function transferResults(
  sql: Sql,
  requestId: string,
  page: { after: number; limit: number; status?: TransferStatus },
): Promise<TransferResult[]> {
  const rows = await sql.query<{
    n: number;
    customer_id: string;
    from_guide_id: string | null;
    to_guide_id: string | null;
    status: TransferStatus;
    reason: string;
    complete_after: Date | null;
    completed_at: Date | null;
    declined_at: Date | null;
  }>(
    `SELECT n, customer_id, from_guide_id, to_guide_id, status, reason, complete_after, completed_at, declined_at FROM customer_transfer
      WHERE request_id = $1 AND n > $2 AND ($4::text IS NULL OR status = $4) ORDER BY n LIMIT $3`,
    [requestId, page.after, page.limit, page.status ?? null],
  );
  return rows.map((r) => ({
    n: r.n,
    customerId: r.customer_id,
    fromGuideId: r.from_guide_id,
    toGuideId: r.to_guide_id,
    status: r.status,
    reason: r.reason,
    completeAfter: r.complete_after?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    declinedAt: r.declined_at?.toISOString() ?? null,
  }));
}
