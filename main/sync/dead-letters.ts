import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { DeadLetterView } from '../api/contract.js';

type Row = {
  id: string;
  type: string;
  reason: string;
  message: string;
  occurred_at: string;
  rejected_at: string;
  reported_at: string | null;
};

/** Events HQ rejected, newest first. A store from before the sync migration has none. */
export function readDeadLetters(db: Database, limit: number): DeadLetterView[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letter'").get();
  if (!table) return [];
  const rows = db
    .prepare(
      'SELECT id, type, reason, message, occurred_at, rejected_at, reported_at FROM dead_letter ORDER BY rejected_at DESC, id DESC LIMIT ?',
    )
    .all(limit) as Row[];
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    reason: r.reason,
    message: r.message,
    occurredAt: r.occurred_at,
    rejectedAt: r.rejected_at,
    reported: r.reported_at !== null,
  }));
}
