import type { HqLog } from '../context.js';
import type { HqDb } from '../db.js';
import type { OutboxEvent } from '../../protocol/events/index.js';
import { projectQueuedIn } from './project-batch.js';

/** The NOTIFY channel a push that recorded events wakes every HQ process's projector on (at commit). */
export const PROJECT_CHANNEL = 'sf_project';

/** How often an idle projector looks at the queue anyway: events another HQ process recorded, a projector that died. */
const PROJECTOR_POLL_MS = 1000;

/** Payloads kept in memory for the projector at most: beyond that it reads them back from `event`. */
const CACHED_PAYLOADS = 10_000;

export type Projector = {
  /** Something was recorded: project soon (this process's push route calls it after each commit). */
  wake(): void;
  /**
   * Events this process just recorded (committed): the projector keeps their parsed payloads so it
   * need not read them back from PostgreSQL. Only a shortcut: one it does not have, it reads.
   */
  recorded(events: readonly OutboxEvent[]): void;
  /** Resolves once the loop has found the queue empty after this call (tests, the bench). */
  settled(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * HQ's projector loop (one per HQ process; the projector lock makes them take turns): projects a
 * batch per transaction while there is work, then sleeps until woken — by this process's pushes,
 * by PROJECT_CHANNEL NOTIFYs of other HQ processes' pushes — or until the poll interval passes, so
 * events a killed process left queued are projected without anyone waking it. A failed round
 * (the database away) is logged and retried on the next wake or poll.
 */
export function startProjector(db: HqDb, clock: () => Date, log: HqLog): Projector {
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let waiters: (() => void)[] = [];
  const payloads = new Map<string, unknown>();
  const cache = {
    take(id: string): unknown {
      const payload = payloads.get(id);
      payloads.delete(id);
      return payload;
    },
  };
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, PROJECTOR_POLL_MS);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
      if (woken || stopped) done();
    });

  const loop = async () => {
    while (!stopped) {
      woken = false;
      let taken = 0;
      try {
        taken = await db.tx((sql) => projectQueuedIn(sql, clock(), { wait: false, payloads: cache }));
      } catch (error) {
        log('projector: a batch failed, retrying on the next round', error instanceof Error ? error.message : error);
      }
      if (taken > 0) continue;
      if (!woken && waiters.length > 0 && (await queueEmpty(db, log))) {
        const settledNow = waiters;
        waiters = [];
        for (const resolve of settledNow) resolve();
      }
      await sleep();
    }
  };
  const running = loop();

  return {
    wake,
    recorded(events) {
      // The first of an id is the one HQ checked and recorded; a later copy in the same push was answered duplicate, unchecked.
      for (const e of events) if (!payloads.has(e.id)) payloads.set(e.id, e.payload);
      // The oldest go first (a Map keeps insertion order): the projector reads those back.
      for (const id of payloads.keys()) {
        if (payloads.size <= CACHED_PAYLOADS) break;
        payloads.delete(id);
      }
      wake();
    },
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        wake();
      }),
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await running;
      for (const resolve of waiters) resolve();
      waiters = [];
    },
  };
}

/** Whether nothing waits for projection (false when the database cannot be asked). */
async function queueEmpty(db: HqDb, log: HqLog): Promise<boolean> {
  try {
    const [row] = await db.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM projection_queue) AS empty');
    return row?.empty === true;
  } catch (error) {
    log('projector: cannot read the queue', error instanceof Error ? error.message : error);
    return false;
  }
}
