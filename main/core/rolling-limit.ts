import type { Statement } from 'better-sqlite3-multiple-ciphers';

export const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;

/** Limits of rows per staff member in rolling windows: at most `max` within `windowMs`. */
export type Limits = readonly { windowMs: number; max: number }[];

export const iso = (ms: number) => new Date(ms).toISOString();

/** The limits as a person reads them (`20 in 1 h, 60 in 24 h`). */
export const limitsText = (limits: Limits) => limits.map((l) => `${l.max} in ${l.windowMs / HOUR_MS} h`).join(', ');

/**
 * When a staff member over one of `limits` at `t` may go on, or null while they are under all of
 * them. `used` counts their rows after a time; `nth` gives the time of their n-th row after one.
 */
export function retryAfter(
  limits: Limits,
  t: number,
  used: Statement<[string, string], number>,
  nth: Statement<[string, string, number], string>,
  staffId: string,
): number | null {
  let retryAt: number | null = null;
  for (const { windowMs, max } of limits) {
    const since = iso(t - windowMs);
    const n = used.get(staffId, since) as number;
    if (n < max) continue;
    // The window frees a place when the row that took it over the limit leaves the window.
    retryAt = Math.max(retryAt ?? -Infinity, Date.parse(nth.get(staffId, since, n - max) as string) + windowMs);
  }
  return retryAt;
}
