import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { SyncState } from '../protocol/sync-state.js';
import { ApplyStatements, PageRefusedError } from './apply.js';
import { fullJitter, pollDelay, realTimers } from './backoff.js';
import type { Timers } from './backoff.js';
import { clockedClient, deviceClock } from './device-clock.js';
import { hqConnection } from './hq-connection.js';
import { readIdentity } from './identity.js';
import { openLive } from './live.js';
import type { LiveChannel } from './live.js';
import { liveFirstClient } from './live-pull.js';
import { checkpointsDone, pullAll, storedProgress } from './pull.js';
import type { PullProgress } from './pull.js';
import { DEAD_LETTER_RECHECK_MS, pushOutbox, recheckDeadLetters, reportDeadLetters } from './push.js';
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
  /** The device's clock: its own records keep it; requests are signed with it corrected to HQ's (device-clock.ts). */
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
  /** Ping the live channel this often; silent for longer than that, it counts as down (live.ts LIVE_PING_MS). */
  livePingMs?: number;
  /** Rows per pull request while provisioning (≤ 50,000). */
  provisioningLimit?: number;
  /**
   * A checkpoint of the store on another connection, off this thread (the store's
   * checkpointOffThread): a provisioning's end, and a large incremental pull's, leave it running
   * (pull.ts withCheckpointsDeferred). Without it the checkpoint runs on this thread.
   */
  checkpoint?: () => Promise<unknown>;
  /** Events per push request (push.ts: MAX_PUSH_EVENTS by default). */
  pushBatchSize?: number;
  /** While it has dead letters, ask HQ this often which IT has re-applied (push.ts DEAD_LETTER_RECHECK_MS). */
  deadLetterRecheckMs?: number;
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
 * Push and pull fail on their own: a batch HQ refuses (413, a bad event) does not stop prices and
 * staff from arriving, and a page the device refuses does not stop sales from leaving. Only a push
 * that got no answer holds the pull back until a later round (see round()).
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
  const offThread = options.checkpoint;
  // A failed checkpoint off the thread runs on it instead (pull.ts); the log says why.
  const checkpoint =
    offThread &&
    (() =>
      offThread().catch((error: unknown) => {
        log('the checkpoint off the till thread failed; it runs on it instead', { error: String(error) });
        throw error;
      }));

  // Signing uses HQ's time as measured from its answers: a device clock hours off still syncs.
  const hqClock = deviceClock(clock);
  // HQ's pinned key checks every answer; HQ's CA (if it has its own) every TLS connection.
  const connection = identity ? hqConnection(db, identity, { fetch: options.fetch, log }) : null;
  let client: SignedClient | null = null;
  if (identity && connection) {
    const signed = signedClient({
      url: options.hqUrl.replace(/\/+$/, ''),
      timeoutMs: options.requestTimeoutMs,
      fetch: connection.fetch,
      trust: connection.trust,
      signal: abort.signal,
      key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
      clock: hqClock.now,
    });
    // Pulls go over the live channel while it is up (live-pull.ts), everything else over HTTP.
    const liveFirst = liveFirstClient(signed, () => live, { timeoutMs: options.requestTimeoutMs, log });
    client = clockedClient(liveFirst, hqClock, clock);
  }
  const initial = identity ? storedProgress(st, scopes) : null;
  let state: SyncState = {
    hq: identity ? 'offline' : 'not_configured',
    pendingEvents: outbox.pendingCount(),
    lastSyncAt: null,
    deadLetters: outbox.deadLetterCount(),
    lastError: null,
    provisioning: initial && !initial.done ? { phase: 'running', applied: initial.applied, total: initial.total } : null,
    ...(identity ? { live: false } : {}),
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
      // Revoked is final: the live channel can revoke while a round is still in flight, and that
      // round's later 'online' or 'offline' must not take the notice off the till.
      ...(revoked ? { hq: 'revoked' as const, live: false } : {}),
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
    emit({ hq: 'revoked', live: false, lastError: { code: 'device_revoked', message: 'HQ revoked this device' } });
  };

  // A page arrived, so HQ answers: online, even before the first whole round ends (provisioning).
  const onProgress = (p: PullProgress) => {
    emit({ hq: 'online', lastError: null, provisioning: { phase: p.done ? 'done' : 'running', applied: p.applied, total: p.total } });
  };

  const revokedBy = (error: unknown) => error instanceof HqRequestError && error.code === 'device_revoked';
  // HQ answered (a refusal is an answer): only a network failure, a timeout or a 5xx means offline.
  const reachedHq = (error: unknown) => !(error instanceof HqRequestError && UNREACHABLE.has(error.code));

  /** Runs one half of a round; its failure is returned, not thrown, so the other half still runs. */
  async function attempt<T>(work: () => Promise<T>): Promise<{ value: T; failure: null } | { value: null; failure: unknown }> {
    try {
      return { value: await work(), failure: null };
    } catch (error) {
      return { value: null, failure: error ?? new Error('failed without a reason') };
    }
  }

  const recheckMs = options.deadLetterRecheckMs ?? DEAD_LETTER_RECHECK_MS;
  let lastRecheck = -Infinity;

  async function round(): Promise<void> {
    if (!client || !identity) return;
    const hq = client;
    const push = await attempt(() =>
      pushOutbox({ outbox, client: hq, deviceId: identity.deviceId, storeId: identity.storeId, clock, batchSize: options.pushBatchSize }),
    );
    if (closed) return;
    if (revokedBy(push.failure)) return revoke();
    const report = push.failure === null ? await attempt(() => reportDeadLetters(outbox, hq, clock)) : null;
    if (closed) return;
    if (revokedBy(report?.failure)) return revoke();
    if (report?.failure === null && outbox.deadLetterCount() > 0 && clock().getTime() - lastRecheck >= recheckMs) {
      // A failed check is tried again at the next interval: dead letters wait for IT anyway.
      lastRecheck = clock().getTime();
      await attempt(() => recheckDeadLetters(outbox, hq));
      if (closed) return;
    }
    const pushFailure = push.failure ?? report?.failure ?? null;
    // HQ's stock is applied minus the sales still in the outbox (pendingStock). After a push whose
    // fate is unknown (no answer: HQ may have committed it) those sales may be in HQ's figure
    // already and would be taken off twice, for good: pull only after a push that went through or
    // that HQ refused whole (its own 4xx answer: nothing of the batch was recorded).
    const pullNow = push.failure === null || refusedWhole(push.failure);
    const pull = pullNow
      ? await attempt(() =>
          pullAll({
            st,
            client: hq,
            scopes,
            storeId: identity.storeId,
            clock,
            onProgress,
            signal: abort.signal,
            provisioningLimit: options.provisioningLimit,
            checkpoint,
          }),
        )
      : null;
    if (closed) return;
    if (revokedBy(pull?.failure)) return revoke();
    const pulled = pull?.value ?? null;
    const pullFailure = pull?.failure ?? null;
    const deviceClockState = hqClock.state();
    const clockPatch = deviceClockState ? { deviceClock: deviceClockState } : {};
    const provisioning = pulled?.provisioning ? { ...storedProgress(st, scopes), phase: 'done' as const } : state.provisioning;
    const provisioningPatch = {
      provisioning: provisioning ? { phase: provisioning.phase, applied: provisioning.applied, total: provisioning.total } : null,
    };
    const failure = pushFailure ?? pullFailure;
    if (failure === null) {
      failures = 0;
      emit({ hq: 'online', lastSyncAt: clock().toISOString(), lastError: null, ...provisioningPatch, ...clockPatch });
      // The live channel replaces polling; without it, poll.
      if (!live?.isUp()) schedule(pollDelay(pollMs, random));
      return;
    }
    failures++;
    for (const error of [pushFailure, pullFailure]) {
      if (error instanceof PageRefusedError) log('sync: a pull page was refused', error.message);
      else if (error !== null && !(error instanceof HqRequestError)) log('sync: round failed', (error as Error).message);
    }
    // The pull always asks HQ (a push may have had nothing to send): it says whether HQ is reachable.
    const online = pull ? pullFailure === null || reachedHq(pullFailure) : reachedHq(pushFailure);
    emit({ hq: online ? 'online' : 'offline', lastError: describeFailure(failure), ...provisioningPatch, ...clockPatch });
    schedule(Math.max(fullJitter(failures, random), 250));
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
        // A live channel waiting on a `ready` signed with a key no round had pinned yet (onUnverified) checks it again.
        live?.recheck();
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
          clock: hqClock.now,
          random,
          timers,
          log,
          pingMs: options.livePingMs,
          onChanged: () => void requestRound(),
          // Changes made while the channel was down were not nudged: pull once it is up.
          onUp: () => {
            emit({ live: true });
            void requestRound();
          },
          onDown: (reason) => {
            log('sync: live channel down, polling', reason);
            emit({ live: false });
            schedule(pollDelay(pollMs, random));
          },
          onRevoked: revoke,
          // HQ's `ready` did not verify: a key rotation shows in HQ's signed HTTP answers, which pin the
          // new key. Every round ends with live.recheck(): one that reached an HQ process still on the
          // old key pins nothing, and a later one (a poll) does.
          onUnverified: () => void requestRound(),
          onServerTime: (serverTime) => {
            const now = clock().getTime();
            hqClock.observe(serverTime, now, now);
          },
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
      await checkpointsDone(db);
      listeners.clear();
    },
  };
}

/** HQ answered the push with its own refusal (4xx with HQ's error body): the batch was not recorded. */
function refusedWhole(error: unknown): boolean {
  return (
    error instanceof HqRequestError && error.status !== null && error.status >= 400 && error.status < 500 && error.code !== 'bad_response'
  );
}

/** What the sync state says about a failed half-round. */
function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof HqRequestError) return { code: error.code, message: error.message };
  if (error instanceof PageRefusedError) return { code: 'page_refused', message: error.message };
  return { code: 'internal', message: (error as Error).message };
}
