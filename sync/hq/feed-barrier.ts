import { randomUUID } from 'node:crypto';
import type { Sql } from './db.js';

/** A barrier's payload on the change channel: no scope starts with `~`. */
export const BARRIER_PREFIX = '~sync:';

/**
 * Proof that this process's change listener has heard every commit that completed before a given
 * moment. PostgreSQL delivers notifications of different transactions in the order they committed,
 * so once a NOTIFY this process sends after that moment comes back through its listener, every
 * NOTIFY of an earlier commit — of this HQ process, of another one, of anyone's — was heard first.
 *
 * Callers that arrive while a barrier is out wait for the next one (theirs must be sent after they
 * came): one barrier in flight at a time, shared by everyone who waits for it. A barrier that is
 * not heard back in `timeoutMs` (the listener is deaf: a PostgreSQL gone without a reset, its
 * keep-alive takes minutes to notice) or whose NOTIFY fails answers `false`.
 */
export type FeedBarrier = {
  /** Resolves true once a barrier sent after this call was heard; false if it failed or was not heard in time. */
  wait(): Promise<boolean>;
  /** A `~sync:` payload heard on the change channel (another process's barriers are ignored). */
  heard(payload: string): void;
  /** The listener lost its connection: the barrier in flight fails. */
  fail(): void;
};

type Flight = { payload: string; waiters: ((ok: boolean) => void)[]; timer: NodeJS.Timeout };

export function createFeedBarrier(send: (payload: string) => Promise<void>, timeoutMs = 2000): FeedBarrier {
  const id = `${BARRIER_PREFIX}${randomUUID()}:`;
  let n = 0;
  let flight: Flight | null = null;
  let queued: ((ok: boolean) => void)[] = [];

  const land = (payload: string, ok: boolean) => {
    if (!flight || flight.payload !== payload) return;
    const done = flight;
    flight = null;
    clearTimeout(done.timer);
    for (const resolve of done.waiters) resolve(ok);
    if (queued.length > 0) launch();
  };
  const launch = () => {
    const payload = `${id}${n++}`;
    const timer = setTimeout(() => land(payload, false), timeoutMs);
    timer.unref();
    flight = { payload, waiters: queued, timer };
    queued = [];
    send(payload).catch(() => land(payload, false));
  };
  return {
    wait: () =>
      new Promise<boolean>((resolve) => {
        queued.push(resolve);
        if (!flight) launch();
      }),
    heard: (payload) => land(payload, true),
    fail: () => {
      if (flight) land(flight.payload, false);
    },
  };
}

/**
 * Sends a barrier as one autocommit statement on `sql`. Nothing needs it durable, so its commit
 * does not wait for the WAL flush (synchronous_commit is set for its own transaction only: the
 * commit reads it before the setting is undone).
 */
export function notifyBarrier(sql: Pick<Sql, 'query'>, channel: string): (payload: string) => Promise<void> {
  return async (payload) => {
    await sql.query("SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)", [channel, payload]);
  };
}
