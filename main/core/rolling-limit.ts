import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

export const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;

/** Limits of rows per staff member in rolling windows: at most `max` within `windowMs`. */
export type Limits = readonly { windowMs: number; max: number }[];

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A staff member's rows of a device-local count (`phone_reveal`, `phone_lookup`: a `staff_id` and
 * an `at` each) against `limits` in rolling windows. Rows older than `keepMs` (the longest window
 * unless given) count in no window and are deleted as the count is read.
 */
export class StaffWindows {
  private readonly forget: Statement<[string]>;
  private readonly used: Statement<[string, string], number>;
  private readonly nth: Statement<[string, string, number], string>;
  private readonly keepMs: number;

  constructor(
    db: Database,
    table: 'phone_reveal' | 'phone_lookup',
    readonly limits: Limits,
    keepMs?: number,
  ) {
    this.forget = db.prepare(`DELETE FROM ${table} WHERE at <= ?`);
    this.used = db.prepare<[string, string], number>(`SELECT count(*) FROM ${table} WHERE staff_id = ? AND at > ?`).pluck();
    this.nth = db
      .prepare<[string, string, number], string>(`SELECT at FROM ${table} WHERE staff_id = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?`)
      .pluck();
    this.keepMs = keepMs ?? Math.max(...limits.map((l) => l.windowMs));
  }

  /** When `staffId`, over one of the limits at `t`, may go on; null while they are under all of them. */
  retryAfter(staffId: string, t: number): number | null {
    this.forget.run(iso(t - this.keepMs));
    let retryAt: number | null = null;
    for (const { windowMs, max } of this.limits) {
      const since = iso(t - windowMs);
      const n = this.used.get(staffId, since) as number;
      if (n < max) continue;
      // The window frees a place when the row that took it over the limit leaves the window.
      retryAt = Math.max(retryAt ?? -Infinity, Date.parse(this.nth.get(staffId, since, n - max) as string) + windowMs);
    }
    return retryAt;
  }

  /** The limits as a person reads them (`20 in 1 h, 60 in 24 h`). */
  describe(): string {
    return this.limits.map((l) => `${l.max} in ${l.windowMs / HOUR_MS} h`).join(', ');
  }
}
