import { SYNC_PATHS } from '../protocol/http.js';

/**
 * A fetch for devices that writes down what HQ answered their pushes: the ids HQ acknowledged
 * (`accepted`), how many duplicates and 503s came back, and when each acknowledgement arrived —
 * the failover test's and bench's record of what HQ promised.
 */
export type PushRecorder = {
  fetch: typeof fetch;
  /** Event ids HQ answered `accepted`. */
  accepted: Set<string>;
  duplicates: number;
  /** 503 answers (HQ's database switching, or haproxy with no HQ up). */
  unavailable: number;
  /** Runs `fn` once, as the first `accepted` arrives; resolves with its result. */
  onFirstAccepted<T>(fn: () => Promise<T>): Promise<T>;
  /** performance.now() when the first answer with an `accepted` event arrived to a push sent at or after `t`, or null. */
  firstAcceptedAfter(t: number): number | null;
};

export function pushRecorder(): PushRecorder {
  const acceptedAt: { sent: number; answered: number }[] = [];
  let hook: (() => void) | null = null;
  const recorder: PushRecorder = {
    accepted: new Set(),
    duplicates: 0,
    unavailable: 0,
    async fetch(input, init) {
      const sent = performance.now();
      const response = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith(SYNC_PATHS.push)) return response;
      if (response.status === 503) recorder.unavailable++;
      if (!response.ok) return response;
      const body = JSON.parse(await response.clone().text()) as { results: { id: string; status: string }[] };
      let any = false;
      for (const r of body.results) {
        if (r.status === 'accepted') {
          recorder.accepted.add(r.id);
          any = true;
        } else if (r.status === 'duplicate') recorder.duplicates++;
      }
      if (any) {
        acceptedAt.push({ sent, answered: performance.now() });
        const fire = hook;
        hook = null;
        fire?.();
      }
      return response;
    },
    onFirstAccepted(fn) {
      return new Promise((resolve, reject) => {
        hook = () => void fn().then(resolve, reject);
      });
    },
    firstAcceptedAfter(t) {
      return acceptedAt.find((a) => a.sent >= t)?.answered ?? null;
    },
  };
  return recorder;
}
