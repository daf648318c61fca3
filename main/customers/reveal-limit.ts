import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../api/errors.js';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How many full phone numbers one staff member may see on this device. Every reveal is audited at
 * HQ, but an audit is read after the fact: without a limit, a manager could reveal the whole store
 * (20k–50k customers) one call at a time, a bulk export. A guide calling back or texting the day's
 * customers needs a few dozen numbers, rarely more than a handful within an hour; 20 an hour and 60
 * a day leave that work alone and turn an export into weeks of calls that HQ's audit shows.
 */
export const REVEAL_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: HOUR_MS, max: 20 },
  { windowMs: DAY_MS, max: 60 },
];

/** Seeing again a number the same staff member saw within this time shows nothing new: it does not count again. */
export const REVEAL_REPEAT_MS = DAY_MS;

/** Rows older than this count in no window and decide no repeat: they are deleted. */
const KEEP_MS = Math.max(REVEAL_REPEAT_MS, ...REVEAL_LIMITS.map((l) => l.windowMs));

/**
 * Counts a staff member's phone reveals in rolling windows (device-local `phone_reveal`, migration
 * 11). `count` runs inside the reveal's transaction, with its audit event: past a limit it throws
 * REVEAL_LIMIT and the transaction (no number, no audit) rolls back.
 */
export class RevealLimit {
  constructor(private readonly db: Database) {}

  /** Counts the reveal of `customerId` by `staffId` at `now`, or throws REVEAL_LIMIT saying when to try again. */
  count(staffId: string, customerId: string, now: Date): void {
    const t = now.getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    this.db.prepare('DELETE FROM phone_reveal WHERE at <= ?').run(iso(t - KEEP_MS));
    const seen = this.db
      .prepare('SELECT 1 FROM phone_reveal WHERE staff_id = ? AND customer_id = ? AND at > ?')
      .get(staffId, customerId, iso(t - REVEAL_REPEAT_MS));
    if (seen) return;
    let retryAt = -Infinity;
    for (const { windowMs, max } of REVEAL_LIMITS) {
      const since = iso(t - windowMs);
      const used = this.db.prepare('SELECT count(*) FROM phone_reveal WHERE staff_id = ? AND at > ?').pluck().get(staffId, since) as number;
      if (used < max) continue;
      // The window frees a reveal when the one that took it over the limit leaves the window.
      const oldest = this.db
        .prepare('SELECT at FROM phone_reveal WHERE staff_id = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?')
        .pluck()
        .get(staffId, since, used - max) as string;
      retryAt = Math.max(retryAt, Date.parse(oldest) + windowMs);
    }
    if (retryAt > -Infinity) {
      const limits = REVEAL_LIMITS.map((l) => `${l.max} in ${l.windowMs / HOUR_MS} h`).join(', ');
      throw new AppError('REVEAL_LIMIT', `Too many phone numbers revealed (at most ${limits}): try again after ${iso(retryAt)}`);
    }
    this.db.prepare('INSERT INTO phone_reveal (staff_id, customer_id, at) VALUES (?, ?, ?)').run(staffId, customerId, iso(t));
  }
}
