import type { Sql } from '../db.js';
import { storePolicy } from './policy.js';
import { recordTransfers, TransferError } from './transfers.js';
import type { BatchSummary, Move } from './transfers.js';

export type OffboardRule = 'successor' | 'spread' | 'pool';

export type OffboardInput = {
  staffId: string;
  requestId: string;
  /** One named successor; spread over the store's other guides (the smaller books get more); or the store pool. */
  rule: OffboardRule;
  successorId?: string | undefined;
  reason: string;
  /** Default: the store's policy (24 h unless set); 0 completes at once. */
  takeoverHours?: number | undefined;
};

export type OffboardResult = { staffId: string; leftAt: string; batch: BatchSummary };

/**
 * A guide leaves: their customers move by the rule, with their history (notes, tags, contacts,
 * purchases stay with the customer) and open tasks (which follow the customer to the new guide),
 * and the guide is deactivated, all in the caller's transaction. The device learns both from the
 * store's feed: the PIN is refused and a session of theirs ends at its next sync. Asked again
 * with the same request id, it answers the same batch.
 */
export async function offboardStaff(sql: Sql, input: OffboardInput, by: string, now: Date): Promise<OffboardResult> {
  const [staff] = await sql.query<{ id: string; store_id: string; active: boolean; left_at: Date | null }>(
    'SELECT id, store_id, active, left_at FROM staff WHERE id = $1 FOR UPDATE',
    [input.staffId],
  );
  if (!staff) throw new TransferError(404, `no staff ${input.staffId}`);
  const held = (await sql.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id FOR UPDATE', [staff.id])).map(
    (c) => c.id,
  );
  const others = await sql.query<{ id: string; role: string; book: number }>(
    `SELECT s.id, s.role, (SELECT count(*) FROM customer c WHERE c.guide_id = s.id)::int AS book FROM staff s
      WHERE s.store_id = $1 AND s.active AND s.id <> $2 AND s.role IN ('guide', 'manager') ORDER BY s.id`,
    [staff.store_id, staff.id],
  );
  const moves = planMoves(input, held, others);
  const policy = await storePolicy(sql, staff.store_id);
  const batch = await recordTransfers(
    sql,
    {
      requestId: input.requestId,
      kind: 'offboarding',
      storeId: staff.store_id,
      fromGuideId: staff.id,
      rule: input.rule,
      reason: input.reason,
      takeoverHours: input.takeoverHours ?? policy.takeoverHours,
      createdBy: by,
    },
    moves,
    now,
  );
  if (!batch.created && batch.fromGuideId !== staff.id) {
    throw new TransferError(409, `request ${input.requestId} is another batch (${batch.kind} of ${batch.fromGuideId ?? 'nobody'})`);
  }
  // Their customers are placed now, so the trigger that guards `active` lets this through.
  const [left] = await sql.query<{ left_at: Date }>(
    'UPDATE staff SET active = false, left_at = coalesce(left_at, $2) WHERE id = $1 RETURNING left_at',
    [staff.id, now],
  );
  return { staffId: staff.id, leftAt: left!.left_at.toISOString(), batch };
}

/**
 * Where each customer goes. `spread` fills the smallest books first (weighted by current book
 * size), so the store's guides end up as even as the departed guide's book allows; ties go to the
 * guide with the smaller id, so the plan is the same every time.
 */
export function planMoves(
  input: Pick<OffboardInput, 'rule' | 'successorId' | 'staffId'>,
  customers: readonly string[],
  others: readonly { id: string; role: string; book: number }[],
): Move[] {
  if (input.rule === 'pool') return customers.map((customerId) => ({ customerId, toGuideId: null }));
  if (input.rule === 'successor') {
    if (!input.successorId) throw new TransferError(409, 'the successor rule needs a successorId');
    if (!others.some((o) => o.id === input.successorId)) {
      throw new TransferError(409, `${input.successorId} is not another active guide or manager of ${input.staffId}'s store`);
    }
    return customers.map((customerId) => ({ customerId, toGuideId: input.successorId! }));
  }
  const guides = others.filter((o) => o.role === 'guide').map((o) => ({ id: o.id, book: o.book }));
  if (guides.length === 0 && customers.length > 0)
    throw new TransferError(409, `no other active guide in ${input.staffId}'s store to spread over`);
  return customers.map((customerId) => {
    let least = guides[0]!;
    for (const g of guides) if (g.book < least.book) least = g;
    least.book++;
    return { customerId, toGuideId: least.id };
  });
}
