import type { StoredEvent } from '../protocol/events/index.js';
import type { OwnChange } from '../protocol/own-changes.js';
import type { DeadLetterReport, PushResult } from '../protocol/push.js';
import type { SyncState } from '../protocol/sync-state.js';

/** Where the device finds HQ, and how it talks to it (injected: tests put a chaos proxy in between). */
export type HqEndpoint = {
  /** e.g. `http://127.0.0.1:5318`; no trailing slash. */
  url: string;
  /** Timeout of one HTTP request; a push or pull page that takes longer is abandoned and retried. */
  requestTimeoutMs?: number;
};

/**
 * The device's replicator: one per device, runs in the terminal process. It pushes the outbox,
 * pulls the device's scopes, provisions a fresh store, listens for HQ's nudges and otherwise polls
 * with backoff and jitter. It never throws into the terminal: failures become `state()`.
 */
export type Replicator = {
  /** Begins syncing in the background (live channel + loop). Idempotent. */
  start(): void;
  /** One push + pull round now; resolves with the state after it (online or offline). */
  syncNow(): Promise<SyncState>;
  state(): SyncState;
  /** Called whenever state() changes (the terminal forwards it as the `sync.state` event). */
  onState(listener: (state: SyncState) => void): () => void;
  /** Call after writing outbox events: pushes soon (debounced) when online. */
  outboxChanged(): void;
  /** Stops loops, timers and the live channel; in-flight work is abandoned safely (it is all idempotent). */
  close(): Promise<void>;
};

/**
 * The device's outbox as the replicator needs it. The terminal owns the outbox and dead-letter
 * tables (main/store/outbox.ts) and hands this in: the replicator never writes SQL on them.
 */
export type OutboxPort = {
  pendingCount(): number;
  deadLetterCount(): number;
  /** The oldest waiting events, payloads as stored; with `after` (a waiting event's id), the oldest written after it. */
  oldest(limit: number, after?: string): StoredEvent[];
  /** HQ's answers for `sent`, in one transaction: accepted/duplicate leave, rejected move to the dead-letter list. */
  settle(sent: readonly StoredEvent[], results: readonly PushResult[], rejectedAt: string): { done: number; rejected: number };
  /** Dead letters HQ has not been told about, oldest first. */
  unreported(limit: number): DeadLetterReport['items'];
  markReported(ids: readonly string[], reportedAt: string): void;
  /** Dead letters HQ has been told about, oldest first (without their events). */
  reported(limit: number): DeadLetterReport['items'];
  /** Takes off the list the dead letters HQ says IT re-applied and it now holds. */
  resolve(ids: readonly string[]): number;
  /** Per SKU, what unpushed sales at `storeId` moved (taken off the stock HQ sends). */
  pendingStock(storeId: string): Map<string, number>;
  /** Waiting events of another store than `storeId`. */
  pendingOutside(storeId: string): number;
  /** The device's own customer-book changes HQ has not been seen to apply, oldest first (sync/client/own-changes.ts). */
  ownChanges(storeId: string, now: string): OwnChange[];
  /** Forgets accepted own changes that HQ's rows now show. */
  heard(ids: readonly string[]): void;
};
