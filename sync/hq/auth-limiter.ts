import { isIPv6 } from 'node:net';
import type { HqDb } from './db.js';
import { HqHttpError } from './http-error.js';

/**
 * Counts failures per source within a sliding minute. Stops guessing codes (or passwords): after
 * `max` failures a source is refused until its oldest failure is a minute old. A try still running
 * holds one of the source's `max` places until it ends: a guesser who sends a hundred guesses at
 * once, before any has failed, gets `max` of them tried, not a hundred. The tries past those wait
 * for a place (a store's IT enrolling a dozen tills at once from one address gets them all
 * enrolled), and are refused once the failures alone fill the budget, or when more than
 * MAX_WAITING_TRIES of one source are waiting in this process.
 *
 * Shared by every HQ process on the database (table `auth_try`, HQ migration 0021): a chain runs
 * several behind haproxy, and a budget per process gave a guesser one budget per process and a
 * fresh one at every restart. A try is a row while it runs (`failed` false) and stays one, failed,
 * until it is older than the window; a try that succeeds deletes its row. A process that dies
 * mid-try leaves a running row, which holds its place until it is a window old: no NOTIFY says
 * so, so a try waiting for a place also looks again when the oldest row it counted leaves the window.
 *
 * Time is the caller's clock (HQ's injected clock: the process's own clock in production), for
 * stamping a try and for the window it is counted in — never the database's `now()`, so that HQ's
 * tests (and a replay of a day under a fixed clock) move the window the same way they move every
 * other time HQ keeps. Processes whose clocks differ by `d` see another's failures expire `d`
 * early or late: the budget is `max` per (window − d) at worst, a few per cent under NTP. (The
 * nonces of signed requests are a different matter: there a skewed clock broke replay protection
 * outright, so they go by the database's clock, sync/hq/auth.ts.)
 */
export type FailureLimiter = {
  /**
   * Starts a try from `address`, once it has a place: null when its budget is spent (429), else the
   * try, to be ended. `clock` is read at each look at the budget: a try that waited is counted, and
   * stamped, from when it started.
   */
  begin(address: string, clock: () => number): Promise<LimitedTry | null>;
  /** Refuses the tries waiting for a place (HQ is stopping) and stops listening for freed places. */
  close(): Promise<void>;
};
/** One try: `failed` counts it against its source; `end` (always, in a finally) gives its place back. */
export type LimitedTry = { failed(): Promise<void>; end(): Promise<void> };
/** What is limited: each has its own budget per source. */
export type LimitKind = 'admin_login' | 'enrol';
export const MAX_WAITING_TRIES = 100;
/** NOTIFY channel: a place of `<kind> <source>` was freed (a try ended or failed) in some HQ process. */
export const AUTH_TRY_CHANNEL = 'sf_auth_try';
/** Rows of tries are deleted this long after they began: far past any window, so a process whose clock runs ahead deletes nothing another still counts. */
const PRUNE_AFTER_MS = 3600_000;

export type FailureLimiterOptions = {
  windowMs?: number;
  /** Called whenever a try starts waiting for a place: tests wait on it. */
  onWaiting?: (source: string) => void;
};

/**
 * Whom a failure counts against: an IPv4 address as it is, an IPv6 address by its /64. One IPv6
 * subscriber is given a whole /64 and may use any address in it, so counted per address every
 * guess could come from a fresh one. An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is that
 * IPv4 address.
 */
export function limitedSource(address: string): string {
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1] as string;
  const [head = '', tail] = address.toLowerCase().split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (…:a.b.c.d) fills the last 32 bits, never the /64 counted here.
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export function createFailureLimiter(db: HqDb, kind: LimitKind, max: number, options: FailureLimiterOptions = {}): FailureLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const waiting = new Map<string, (() => void)[]>();
  // Bumped whenever a place may have been freed: a try that found none re-checks instead of
  // waiting if one was freed while it was looking (the wake-up came before it was in the queue).
  let freed = 0;
  let listening: Promise<() => Promise<void>> | null = null;
  let closed = false;
  let prunedAt = Number.NEGATIVE_INFINITY;

  const wakeNext = (source: string): void => {
    freed++;
    const queue = waiting.get(source);
    queue?.shift()?.();
    if (queue?.length === 0) waiting.delete(source);
  };
  const wakeAll = (): void => {
    freed++;
    for (const queue of [...waiting.values()]) for (const wake of queue.splice(0)) wake();
    waiting.clear();
  };
  // Places freed in other processes are heard by NOTIFY; this process's own are too (and woken at
  // once as well: a second wake-up only makes a try look again). After a lost listener, every
  // waiting try looks again.
  // A LISTEN the database refused (no connection to be had just then) is not kept: the try that
  // needed it fails, and the next one to wait asks again, rather than every wait failing until HQ
  // restarts.
  const listen = (): Promise<() => Promise<void>> => {
    if (listening) return listening;
    const opened = db.listen(
      AUTH_TRY_CHANNEL,
      (payload) => {
        const space = payload.indexOf(' ');
        if (payload.slice(0, space) === kind) wakeNext(payload.slice(space + 1));
      },
      { onRestored: wakeAll },
    );
    listening = opened;
    opened.catch(() => {
      if (listening === opened) listening = null;
    });
    return opened;
  };

  /** `wait` until `freedAt` at the latest: then the oldest try counted leaves the window. */
  type Decision = { kind: 'refused' } | { kind: 'wait'; freedAt: number } | { kind: 'started'; id: string };
  const look = (source: string, now: number): Promise<Decision> =>
    db.tx(async (sql) => {
      // One look at a time per source across every process: two cannot both take the last place.
      await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${AUTH_TRY_CHANNEL} ${kind} ${source}`]);
      const [counts] = await sql.query<{ failed: number; running: number; oldest: Date | null }>(
        `SELECT count(*) FILTER (WHERE failed)::int AS failed, count(*) FILTER (WHERE NOT failed)::int AS running, min(at) AS oldest
           FROM auth_try WHERE kind = $1 AND source = $2 AND at > $3`,
        [kind, source, new Date(now - windowMs)],
      );
      const failed = counts?.failed ?? 0;
      if (failed >= max) return { kind: 'refused' };
      if (failed + (counts?.running ?? 0) >= max) return { kind: 'wait', freedAt: (counts?.oldest?.getTime() ?? now) + windowMs };
      const [row] = await sql.query<{ id: string }>(
        'INSERT INTO auth_try (kind, source, at) VALUES ($1, $2, $3) RETURNING id::text AS id',
        [kind, source, new Date(now)],
      );
      return { kind: 'started', id: (row as { id: string }).id };
    });

  const prune = async (now: number): Promise<void> => {
    if (Math.abs(now - prunedAt) < windowMs) return;
    prunedAt = now;
    await db.query('DELETE FROM auth_try WHERE kind = $1 AND at < $2', [kind, new Date(now - PRUNE_AFTER_MS)]);
  };

  const stopping = (): HqHttpError => new HqHttpError(503, 'unavailable', 'HQ is stopping; try again');

  return {
    async begin(address, clock) {
      // A source is an address or a /64 (at most 45 characters): anything longer is not one.
      const source = limitedSource(address).slice(0, 64);
      await prune(clock());
      let listened = false;
      for (;;) {
        if (closed) throw stopping();
        const seen = freed;
        const now = clock();
        const decision = await look(source, now);
        if (decision.kind === 'refused') {
          // The tries waiting behind this one are refused as well, each in turn.
          wakeNext(source);
          return null;
        }
        if (decision.kind === 'started') return startedTry(decision.id, source);
        if (!listened) {
          // The first wait: listen, then look again (a place freed before the LISTEN was not heard).
          await listen();
          listened = true;
          continue;
        }
        if (freed !== seen) continue;
        const queue = waiting.get(source) ?? [];
        if (queue.length >= MAX_WAITING_TRIES) return null;
        waiting.set(source, queue);
        await new Promise<void>((resolve) => {
          // Woken by a freed place, or by time: then it leaves the queue, so the next wake-up goes
          // to a try still waiting.
          const timer = setTimeout(
            () => {
              const at = queue.indexOf(wake);
              if (at >= 0) queue.splice(at, 1);
              if (queue.length === 0 && waiting.get(source) === queue) waiting.delete(source);
              resolve();
            },
            Math.max(0, decision.freedAt - now),
          );
          timer.unref();
          const wake = (): void => {
            clearTimeout(timer);
            resolve();
          };
          queue.push(wake);
          options.onWaiting?.(source);
        });
      }
    },
    async close() {
      closed = true;
      wakeAll();
      const stop = listening;
      listening = null;
      const stopListening = await stop?.catch(() => null);
      if (stopListening) await stopListening();
    },
  };

  function startedTry(id: string, source: string): LimitedTry {
    let ended = false;
    // Updated or deleted and announced in one statement: the NOTIFY goes out at its commit.
    const finish = async (failed: boolean): Promise<void> => {
      if (ended) return;
      ended = true;
      try {
        await db.query(
          failed
            ? 'WITH t AS (UPDATE auth_try SET failed = true WHERE id = $1) SELECT pg_notify($2, $3)'
            : 'WITH t AS (DELETE FROM auth_try WHERE id = $1) SELECT pg_notify($2, $3)',
          [id, AUTH_TRY_CHANNEL, `${kind} ${source}`],
        );
      } finally {
        // The place is free: the next try waiting for one here looks again.
        wakeNext(source);
      }
    };
    return { failed: () => finish(true), end: () => finish(false) };
  }
}
