import { createHash } from 'node:crypto';
import type { Sql } from '../db.js';

/** One statement batch a migration handed to the database. */
export type RecordedCall = { method: 'exec' | 'query'; text: string; params: readonly unknown[] };

/**
 * A `Sql` that runs nothing and records what it is given, in order: what a migration would send
 * to the database, byte for byte, without a database. Queries answer no rows.
 */
export function recordingSql(): { sql: Sql; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const sql: Sql = {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      calls.push({ method: 'query', text, params });
      return [];
    },
    async exec(text: string): Promise<void> {
      calls.push({ method: 'exec', text, params: [] });
    },
  };
  return { sql, calls };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
