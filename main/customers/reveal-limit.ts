import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../api/errors.js';
import { DAY_MS, HOUR_MS, iso, StaffWindows } from '../core/rolling-limit.js';

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
  private readonly windows: StaffWindows;
  private readonly seen: Statement<[string, string, string]>;
  private readonly add: Statement<[string, string, string]>;

  constructor(db: Database) {
    this.windows = new StaffWindows(db, 'phone_reveal', REVEAL_LIMITS, KEEP_MS);
    this.seen = db.prepare('SELECT 1 FROM phone_reveal WHERE staff_id = ? AND customer_id = ? AND at > ?');
    this.add = db.prepare('INSERT INTO phone_reveal (staff_id, customer_id, at) VALUES (?, ?, ?)');
  }

  /** Counts the reveal of `customerId` by `staffId` at `now`, or throws REVEAL_LIMIT saying when to try again. */
  count(staffId: string, customerId: string, now: Date): void {
    const t = now.getTime();
    // Seen within the repeat time: the rows that say so are younger than KEEP_MS, which the count below forgets.
    if (this.seen.get(staffId, customerId, iso(t - REVEAL_REPEAT_MS))) return;
    const retryAt = this.windows.retryAfter(staffId, t);
    if (retryAt !== null) {
      throw new AppError(
        'REVEAL_LIMIT',
        `Too many phone numbers revealed (at most ${this.windows.describe()}): try again after ${iso(retryAt)}`,
      );
    }
    this.add.run(staffId, customerId, iso(t));
  }
}
