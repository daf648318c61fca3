import type { HqDb } from '../db.js';

/**
 * Resolves once a session of `db`'s database waits on a lock (PostgreSQL only): a test that holds
 * a transaction open uses it to know the racing one has reached the row it wants, not a sleep.
 */
export async function lockWaiter(db: HqDb, what = 'nobody waited on a lock'): Promise<void> {
  for (let i = 0; ; i++) {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    );
    if ((row?.n ?? 0) > 0) return;
    if (i > 400) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
