import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { SyncState } from '../protocol/sync-state.js';
import { ApplyStatements, PageRefusedError } from './apply.js';
import { fullJitter, pollDelay, realTimers } from './backoff.js';
import type { Timers } from './backoff.js';
import { hqConnection } from './hq-connection.js';
import { readIdentity } from './identity.js';
import { openLive } from './live.js';
import type { LiveChannel } from './live.js';
import { pullAll, storedProgress } from './pull.js';
import type { PullProgress } from './pull.js';
import { pushOutbox, reportDeadLetters } from './push.js';
import { HqRequestError, signedClient } from './signed-http.js';
import type { FetchLike, SignedClient } from './signed-http.js';
import type { OutboxPort, Replicator } from './types.js';

export type CreateReplicatorOptions = {
  db: Database;
  /** The device's outbox (owned by the terminal). */
  outbox: OutboxPort;
  deviceId: string;
  storeId: string;
  hqUrl: string;
  clock: () => Date;
  log: (message: string, detail?: unknown) => void;
  requestTimeoutMs?: number;
  /** Injected where tests control them. */
  fetch?: FetchLike;
  random?: () => number;
  timers?: Timers;
  /** Poll interval while the live channel is down (± 50 % jitter). */
  pollMs?: number;
  /** Wait after outboxChanged() before pushing, so a burst of changes goes in one batch. */
  pushDebounceMs?: number;
  /** Open the live channel (on by default). */
  live?: boolean;
  /** Rows per pull request while provisioning (≤ 50,000). */
  provisioningLimit?: number;
};

/** Brand before store before device: a page may only refer to what an earlier scope brought. */
function scopeOrder(scope: string): number {
  return scope.startsWith('brand:') ? 0 : scope.startsWith('store:') ? 1 : 2;
}

/** Failures that mean "HQ is not reachable" (offline) rather than "HQ answered no". */
const UNREACHABLE = new Set(['network', 'timeout', 'unavailable']);

/**
 * The device's replicator: push → pull rounds, one at a time, triggered by start(), the live
 * channel's nudges, outboxChanged(), syncNow() and a poll (only while the live channel is down);
 * failures back off with full jitter. It never throws into the terminal: everything lands in state().
 */
export function createReplicator(options: CreateReplicatorOptions): Replicator {
  const { db, outbox, clock, log } = options;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 30_000;
  const debounceMs = options.pushDebounceMs ?? 100;
  const listeners = new Set<(state: SyncState) => void>();
  const abort = new AbortController();
  const identity = readIdentity(db);
  const st = new ApplyStatements(db, outbox);
  const scopes = [...(identity?.scopes ?? [])].sort((a, b) => scopeOrder(a) - scopeOrder(b));

  // HQ's pinned key checks every answer; HQ's CA (if it has its own) every TLS connection.
  const connection = identity ? hqConnection(db, identity, { fetch: options.fetch, log }) : null;
  let client: SignedClient | null = null;
  if (identity && connection) {
    client = signedClient({
      url: options.hqUrl.replace(/\/+$/, ''),
      timeoutMs: options.requestTimeoutMs,
      fetch: connection.fetch,
      trust: connection.trust,
      signal: abort.signal,
      key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
      clock,
    });
  }
  const initial = identity ? storedProgress(st, scopes) : null;
  let state: SyncState = {
    hq: identity ? 'offline' : 'not_configured',
    pendingEvents: outbox.pendingCount(),
    lastSyncAt: null,
    deadLetters: outbox.deadLetterCount(),
    lastError: null,
    provisioning: initial && !initial.done ? { phase: 'running', applied: initial.applied, total: initial.total } : null,
  };

  let started = false;
  let closed = false;
  let revoked = false;
  let failures = 0;
  let running: Promise<void> | null = null;
  let rerun = false;
  let roundTimer: unknown = null;
  let debounceTimer: unknown = null;
  let live: LiveChannel | null = null;

  const emit = (patch: Partial<SyncState>) => {
    state = {
      ...state,
      ...patch,
      pendingEvents: outbox.pendingCount(),
      deadLetters: outbox.deadLetterCount(),
    };
    for (const l of listeners) {
      try {
        l(state);
      } catch (error) {
        log('sync state listener failed', (error as Error).message);
      }
    }
  };

  const stopped = () => closed || revoked;

  const schedule = (ms: number) => {
    if (stopped() || !started) return;
    if (roundTimer !== null) timers.clearTimeout(roundTimer);
    roundTimer = timers.setTimeout(() => {
      roundTimer = null;
      void requestRound();
    }, ms);
  };

  const revoke = () => {
    if (revoked) return;
    revoked = true;
    log('sync: HQ revoked this device; syncing stops, the outbox is kept');
    live?.close();
    live = null;
    if (roundTimer !== null) timers.clearTimeout(roundTimer);
    if (debounceTimer !== null) timers.clearTimeout(debounceTimer);
    roundTimer = debounceTimer = null;
    emit({ hq: 'revoked', lastError: { code: 'device_revoked', message: 'HQ revoked this device' } });
  };

  // A page arrived, so HQ answers: online, even before the first whole round ends (provisioning).
  const onProgress = (p: PullProgress) => {
    emit({ hq: 'online', lastError: null, provisioning: { phase: p.done ? 'done' : 'running', applied: p.applied, total: p.total } });
  };

  async function round(): Promise<void> {
    if (!client || !identity) return;
    try {
      await pushOutbox({ outbox, client, deviceId: identity.deviceId, storeId: identity.storeId, clock });
      await reportDeadLetters(outbox, client, clock);
      const pulled = await pullAll({
        st,
        client,
        scopes,
        storeId: identity.storeId,
        clock,
        onProgress,
        signal: abort.signal,
        provisioningLimit: options.provisioningLimit,
      });
      if (closed) return;
      failures = 0;
      const provisioning = pulled.provisioning ? { ...storedProgress(st, scopes), phase: 'done' as const } : state.provisioning;
      emit({
        hq: 'online',
        lastSyncAt: clock().toISOString(),
        lastError: null,
        provisioning: provisioning ? { phase: provisioning.phase, applied: provisioning.applied, total: provisioning.total } : null,
      });
      // The live channel replaces polling; without it, poll.
      if (!live?.isUp()) schedule(pollDelay(pollMs, random));
    } catch (error) {
      if (closed) return;
      if (error instanceof HqRequestError && error.code === 'device_revoked') {
        revoke();
        return;
      }
      failures++;
      if (error instanceof HqRequestError) {
        emit({ hq: UNREACHABLE.has(error.code) ? 'offline' : 'online', lastError: { code: error.code, message: error.message } });
      } else if (error instanceof PageRefusedError) {
        log('sync: a pull page was refused', error.message);
        emit({ hq: 'online', lastError: { code: 'page_refused', message: error.message } });
      } else {
        log('sync: round failed', (error as Error).message);
        emit({ lastError: { code: 'internal', message: (error as Error).message } });
      }
      schedule(Math.max(fullJitter(failures, random), 250));
    }
  }

  /** One round at a time; a request during a round runs one more round after it (coalesced). */
  function requestRound(): Promise<void> {
    if (stopped() || !client) return Promise.resolve();
    if (running) {
      rerun = true;
      return running;
    }
    if (roundTimer !== null) timers.clearTimeout(roundTimer);
    roundTimer = null;
    running = (async () => {
      do {
        rerun = false;
        await round();
      } while (rerun && !stopped());
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    start() {
      if (started || stopped() || !identity) return;
      started = true;
      if (options.live !== false && connection) {
        live = openLive({
          url: options.hqUrl.replace(/\/+$/, ''),
          trust: connection.trust,
          ca: connection.ca,
          key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
          clock,
          random,
          timers,
          log,
          onChanged: () => void requestRound(),
          // Changes made while the channel was down were not nudged: pull once it is up.
          onUp: () => void requestRound(),
          onDown: (reason) => {
            log('sync: live channel down, polling', reason);
            schedule(pollDelay(pollMs, random));
          },
          onRevoked: revoke,
        });
      }
      void requestRound();
    },
    async syncNow() {
      await requestRound();
      return state;
    },
    state: () => state,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    outboxChanged() {
      if (closed) return;
      emit({});
      if (stopped() || !started || state.hq !== 'online') return;
      if (debounceTimer !== null) return;
      debounceTimer = timers.setTimeout(() => {
        debounceTimer = null;
        void requestRound();
      }, debounceMs);
    },
    async close() {
      closed = true;
      live?.close();
      live = null;
      if (roundTimer !== null) timers.clearTimeout(roundTimer);
      if (debounceTimer !== null) timers.clearTimeout(debounceTimer);
      roundTimer = debounceTimer = null;
      abort.abort();
      await running?.catch(() => undefined);
      listeners.clear();
    },
  };
}
