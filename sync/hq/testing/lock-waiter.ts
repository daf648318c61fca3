import type { HqDb, Sql } from '../db.js';

/**
 * Resolves once a session of `db`'s database waits on a lock (PostgreSQL only): a test that holds
 * a transaction open uses it to know the racing one has reached the row it wants, not a sleep.
 */
export function lockWaiter(db: HqDb, what = 'nobody waited on a lock'): Promise<void> {
  return lockWaiters(db, 1, what);
}

/**
 * Resolves once `count` sessions of `db`'s database wait on a lock at once (PostgreSQL only). It
 * stops looking, unresolved, once `stop` is aborted (the test saw what it raced this against).
 */
export async function lockWaiters(
  db: HqDb,
  count: number,
  what = `${count} sessions never waited on a lock`,
  stop?: AbortSignal,
): Promise<void> {
  for (let i = 0; ; i++) {
    if (stop?.aborted) return new Promise<void>(() => undefined);
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    );
    if ((row?.n ?? 0) >= count) return;
    if (i > 400) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A race of two transactions (PostgreSQL only): `held` runs in a transaction that stays open,
 * uncommitted, after its work; `racing` starts then, and once it has finished or waits on a lock,
 * the held one commits. Answers `racing`'s outcome once the held transaction has committed.
 */
export async function raceHeldTransaction<T>(db: HqDb, held: (sql: Sql) => Promise<unknown>, racing: () => Promise<T>): Promise<T> {
  let inside!: () => void;
  const done = new Promise<void>((resolve) => (inside = resolve));
  let commit!: () => void;
  const gate = new Promise<void>((resolve) => (commit = resolve));
  const first = db.tx(async (sql) => {
    await held(sql);
    inside();
    await gate;
  });
  await Promise.race([done, first]);
  const second = racing();
  const waiting = lockWaiter(db);
  waiting.catch(() => undefined);
  await Promise.race([second.then(undefined, () => undefined), waiting]);
  commit();
  await first;
  return second;
}
