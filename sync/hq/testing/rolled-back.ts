import { expect } from 'vitest';
import type { HqDb, Sql } from '../db.js';

/**
 * What `fn` returns, run in a transaction that is then rolled back: the tests after it see HQ as
 * it was. An error of `fn`'s own fails the test with that error.
 */
export async function rolledBack<T>(db: HqDb, fn: (sql: Sql) => Promise<T>): Promise<T> {
  let out: { value: T } | null = null;
  const undo = new Error('roll back');
  await expect(
    db.tx(async (sql) => {
      out = { value: await fn(sql) };
      throw undo;
    }),
  ).rejects.toBe(undo);
  return (out as { value: T } | null)!.value;
}
