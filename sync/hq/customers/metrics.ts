import type { Sql } from '../db.js';

/** The MIIDII playbook's figures for one store or one guide over a period. Rates are null where there is nothing to divide by. */
export type Metrics = {
  /** Tasks created in the period, and how many of them are done: 导购执行率 (execution rate). */
  tasksAssigned: number;
  tasksDone: number;
  executionRate: number | null;
  /** Customers reached by a reactivation task in the period, and those who bought within 30 days after: 沉睡客户激活率. */
  dormantContacted: number;
  dormantActivated: number;
  dormantActivationRate: number | null;
  /** New members who registered bound to a guide, against the store's transactions: 建档加粉率. */
  newMembers: number;
  transactions: number;
  signUpRate: number | null;
};

export type StoreMetrics = Metrics & { storeId: string; guides: (Metrics & { staffId: string })[] };

type Row = {
  store_id: string;
  staff_id: string | null;
  assigned: number;
  done: number;
  contacted: number;
  activated: number;
  members: number;
};

const rate = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

function metrics(r: Omit<Row, 'store_id' | 'staff_id'>, transactions: number): Metrics {
  return {
    tasksAssigned: r.assigned,
    tasksDone: r.done,
    executionRate: rate(r.done, r.assigned),
    dormantContacted: r.contacted,
    dormantActivated: r.activated,
    dormantActivationRate: rate(r.activated, r.contacted),
    newMembers: r.members,
    transactions,
    signUpRate: rate(r.members, transactions),
  };
}

/**
 * Per store (and per guide within it) over [from, to): the figures HQ and regional managers watch
 * live. One statement per question, grouped by store and guide (ROLLUP gives the store's line); a
 * guide's sign-up rate divides by the store's transactions, since guides do not ring the till; a
 * cashier's sign-up into the store pool is connected with no guide and is not counted (建档加粉率).
 * Stores in id order after `after`, at most `limit` of them.
 */
export async function customerMetrics(
  sql: Sql,
  q: { brand: string; storeId?: string | undefined; from: Date; to: Date; after?: string | undefined; limit: number },
): Promise<StoreMetrics[]> {
  const stores = (
    await sql.query<{ id: string }>(
      `SELECT id FROM location WHERE brand = $1 AND kind = 'store' AND ($2::text IS NULL OR id = $2) AND id > $3 ORDER BY id LIMIT $4`,
      [q.brand, q.storeId ?? null, q.after ?? '', q.limit],
    )
  ).map((s) => s.id);
  if (stores.length === 0) return [];
  // GROUPING SETS: a line per guide and one per store (`total`); a pool task has no guide and only counts in its store's line.
  const rows = await sql.query<Row & { total: boolean }>(
    `WITH tasks AS (
       SELECT store_id, guide_id AS staff_id, grouping(guide_id) = 1 AS total, count(*)::int AS assigned,
              count(*) FILTER (WHERE status = 'done')::int AS done
         FROM customer_task WHERE store_id = ANY($1) AND created_at >= $2 AND created_at < $3
        GROUP BY GROUPING SETS ((store_id, guide_id), (store_id))
     ), reached AS (
       SELECT k.store_id, k.staff_id, k.customer_id, min(k.at) AS at
         FROM customer_contact k JOIN customer_task t ON t.id = k.task_id AND t.kind = 'reactivate'
        WHERE k.store_id = ANY($1) AND k.at >= $2 AND k.at < $3 AND k.outcome IN ('reached', 'bought', 'follow_up')
        GROUP BY k.store_id, k.staff_id, k.customer_id
     ), dormant AS (
       SELECT r.store_id, r.staff_id, grouping(r.staff_id) = 1 AS total, count(DISTINCT r.customer_id)::int AS contacted,
              count(DISTINCT r.customer_id) FILTER (WHERE EXISTS (
                SELECT 1 FROM customer_purchase b WHERE b.customer_id = r.customer_id AND b.total_fen > 0 AND b.at >= r.at AND b.at < r.at + interval '30 days'))::int AS activated
         FROM reached r GROUP BY GROUPING SETS ((r.store_id, r.staff_id), (r.store_id))
     ), members AS (
       SELECT store_id, requested_by AS staff_id, grouping(requested_by) = 1 AS total, count(*)::int AS members FROM customer_request
        WHERE kind = 'new_member' AND status = 'done' AND reason IS DISTINCT FROM 'pool_cashier'
          AND store_id = ANY($1) AND decided_at >= $2 AND decided_at < $3
        GROUP BY GROUPING SETS ((store_id, requested_by), (store_id))
     ), keys AS (
       SELECT store_id, staff_id, total FROM tasks UNION SELECT store_id, staff_id, total FROM dormant UNION SELECT store_id, staff_id, total FROM members
     )
     SELECT k.store_id, k.staff_id, k.total, coalesce(t.assigned, 0) AS assigned, coalesce(t.done, 0) AS done, coalesce(d.contacted, 0) AS contacted,
            coalesce(d.activated, 0) AS activated, coalesce(m.members, 0) AS members
       FROM keys k
       LEFT JOIN tasks t ON t.store_id = k.store_id AND t.staff_id IS NOT DISTINCT FROM k.staff_id AND t.total = k.total
       LEFT JOIN dormant d ON d.store_id = k.store_id AND d.staff_id IS NOT DISTINCT FROM k.staff_id AND d.total = k.total
       LEFT JOIN members m ON m.store_id = k.store_id AND m.staff_id IS NOT DISTINCT FROM k.staff_id AND m.total = k.total`,
    [stores, q.from, q.to],
  );
  const sales = new Map(
    (
      await sql.query<{ store_id: string; n: number }>(
        `SELECT store_id, count(*)::int AS n FROM sale WHERE store_id = ANY($1) AND kind = 'sale' AND created_at >= $2 AND created_at < $3 GROUP BY store_id`,
        [stores, q.from, q.to],
      )
    ).map((r) => [r.store_id, r.n]),
  );
  const zero = { assigned: 0, done: 0, contacted: 0, activated: 0, members: 0 };
  return stores.map((storeId) => {
    const mine = rows.filter((r) => r.store_id === storeId);
    const transactions = sales.get(storeId) ?? 0;
    return {
      storeId,
      ...metrics(mine.find((r) => r.total) ?? zero, transactions),
      guides: mine.filter((r) => !r.total && r.staff_id !== null).map((r) => ({ staffId: r.staff_id!, ...metrics(r, transactions) })),
    };
  });
}
