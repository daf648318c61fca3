/** Timers the replicator uses; injected where a test must control time. */
export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Sync timers never keep a process alive on their own: close() is what ends them.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;

/**
 * Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). Fifty
 * thousand devices that lost HQ at the same moment then come back spread out, not in waves.
 */
export function fullJitter(attempt: number, random: () => number, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** The poll interval while the live channel is down: `every` ± 50 %. */
export function pollDelay(every: number, random: () => number): number {
  return Math.floor(every * (0.5 + random()));
}
