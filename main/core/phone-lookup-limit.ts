import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../api/errors.js';
import { DAY_MS, HOUR_MS, iso, StaffWindows } from './rolling-limit.js';
import type { Limits } from './rolling-limit.js';

/**
 * Lookups by a full mobile number that find nobody: how many one staff member may make on this
 * device. The book shows numbers masked (the first 3 and last 4 digits); trying the 10,000 middles
 * of a masked number, the search that finds the customer tells their full number, with no reveal
 * and no audit. A guide or cashier typing the number a customer tells them rarely misses; 30 misses
 * an hour and 100 a day leave that work alone and turn the guessing into months. Past a limit every
 * lookup by a full number is refused (LOOKUP_LIMIT) until the window frees one, hits included:
 * otherwise the refusal itself would tell a miss from a hit.
 */
export const LOOKUP_MISS_LIMITS: Limits = [
  { windowMs: HOUR_MS, max: 30 },
  { windowMs: DAY_MS, max: 100 },
];

/** Counts a staff member's misses in rolling windows (device-local `phone_lookup`, migration 13). */
export class PhoneLookupLimit {
  private readonly windows: StaffWindows;
  private readonly add: Statement<[string, string]>;

  constructor(db: Database) {
    this.windows = new StaffWindows(db, 'phone_lookup', LOOKUP_MISS_LIMITS);
    this.add = db.prepare('INSERT INTO phone_lookup (staff_id, at) VALUES (?, ?)');
  }

  /** Runs `find`, a lookup by a full number for `staffId`, unless they are over a limit (LOOKUP_LIMIT); counts it if it found nobody. */
  lookup<T>(staffId: string, now: Date, find: () => T, missed: (found: T) => boolean): T {
    const t = now.getTime();
    const retryAt = this.windows.retryAfter(staffId, t);
    if (retryAt !== null) {
      throw new AppError(
        'LOOKUP_LIMIT',
        `Too many searches by a mobile number that found nobody (at most ${this.windows.describe()}): search by member code or name, or try again after ${iso(retryAt)}`,
      );
    }
    const found = find();
    if (missed(found)) this.add.run(staffId, iso(t));
    return found;
  }
}
