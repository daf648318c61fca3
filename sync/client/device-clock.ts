import { CLOCK_OFF_MS } from '../protocol/sync-state.js';
import type { SyncState } from '../protocol/sync-state.js';
import { HqRequestError } from './signed-http.js';
import type { SignedClient } from './signed-http.js';

/**
 * A measured offset is adopted only when it moved by more than this: HQ accepts ±5 minutes, and
 * keeping the offset steady keeps the signing time from wandering with every answer's latency.
 */
const ADOPT_BEYOND_MS = 2_000;

/**
 * HQ's time as this device best knows it. HQ refuses a request signed more than 5 minutes from
 * its own clock (`stale_time`), and store devices do run with wrong clocks (a dead RTC battery, a
 * manual setting, no NTP on the store network): such a device was refused on every request for
 * good. HQ stamps its time on every answer (`serverTime`, also on a `stale_time` refusal), so the
 * device measures the offset and signs with its own clock plus the offset.
 *
 * Only signing uses it: the device's own records (sales, receipts, the business day) keep the
 * device's clock, which is why the sync state shows an offset beyond CLOCK_OFF_MS for IT to fix.
 */
export type DeviceClock = {
  /** The device's clock corrected by the last measured offset: sign with this. */
  now(): Date;
  /** HQ's time minus the device's, in ms (0 until measured). */
  offsetMs(): number;
  /**
   * HQ answered a request sent at `sentAt` and received at `receivedAt` (device clock, ms) with
   * its time `serverTime`. Returns whether the offset changed (a refused request is then worth
   * signing again).
   */
  observe(serverTime: string, sentAt: number, receivedAt: number): boolean;
  /** For the sync state; undefined until HQ's time was seen. */
  state(): SyncState['deviceClock'];
};

export function deviceClock(local: () => Date): DeviceClock {
  let offset = 0;
  let measured = false;
  return {
    now: () => new Date(local().getTime() + offset),
    offsetMs: () => offset,
    observe(serverTime, sentAt, receivedAt) {
      const hq = Date.parse(serverTime);
      if (!Number.isFinite(hq)) return false;
      measured = true;
      // HQ stamped its answer somewhere between sending and receiving: assume halfway.
      const next = Math.round(hq - (sentAt + receivedAt) / 2);
      if (Math.abs(next - offset) <= ADOPT_BEYOND_MS) return false;
      offset = next;
      return true;
    },
    state: () => (measured ? { offsetMs: offset, off: Math.abs(offset) > CLOCK_OFF_MS } : undefined),
  };
}

/**
 * A signed client (made with `clock.now` as its signing clock) that feeds every `serverTime` HQ
 * answers with to `clock`, and signs a request again once when HQ refused it as `stale_time` and
 * its time moved the offset: a device whose clock is hours off syncs after one refused request.
 */
export function clockedClient(inner: SignedClient, clock: DeviceClock, local: () => Date): SignedClient {
  return {
    async post(path, body, schema, options) {
      for (let attempt = 0; ; attempt++) {
        const sentAt = local().getTime();
        try {
          const answer = await inner.post(path, body, schema, options);
          const serverTime = (answer as { serverTime?: unknown } | null)?.serverTime;
          if (typeof serverTime === 'string') clock.observe(serverTime, sentAt, local().getTime());
          return answer;
        } catch (error) {
          const stale = error instanceof HqRequestError && error.code === 'stale_time' && error.serverTime !== undefined;
          if (stale && clock.observe(error.serverTime as string, sentAt, local().getTime()) && attempt === 0) continue;
          throw error;
        }
      }
    },
  };
}
