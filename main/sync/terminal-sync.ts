import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { DeadLetterView, SyncState } from '../api/contract.js';
import type { EventBus } from '../api/event-bus.js';
import { deviceOutbox } from '../store/outbox.js';
import type { Replicator } from '../../sync/client/types.js';
import { standaloneSync } from './standalone-sync.js';

/**
 * The terminal's side of sync: the replicator of an enrolled device, or the standalone answer
 * (nothing leaves the device, but what waits is still counted honestly).
 */
export type TerminalSync = {
  state(): SyncState;
  /** After writing outbox events: tells the replicator (it pushes soon) and emits `sync.state`. */
  announce(): SyncState;
  /** A push and pull round now; standalone: just the current state. */
  syncNow(): Promise<SyncState>;
  /** The dead-letter list, newest first. */
  deadLetters(limit: number): DeadLetterView[];
  close(): Promise<void>;
};

export function createTerminalSync(db: Database, events: EventBus, replicator: Replicator | null): TerminalSync {
  const outbox = deviceOutbox(db);
  if (!replicator) {
    const state = () => standaloneSync(outbox.pendingCount());
    return {
      state,
      announce: () => {
        const s = state();
        events.emit('sync.state', s);
        return s;
      },
      syncNow: () => Promise.resolve(state()),
      deadLetters: (limit) => outbox.deadLetters(limit),
      close: () => Promise.resolve(),
    };
  }
  // The replicator's own changes (online/offline, pushed, provisioning progress) reach the renderer here.
  const unsubscribe = replicator.onState((s) => events.emit('sync.state', s));
  replicator.start();
  return {
    state: () => replicator.state(),
    announce: () => {
      replicator.outboxChanged();
      // The count changed now, before the replicator pushes: show it at once (never "synced" while events wait).
      const s = { ...replicator.state(), pendingEvents: outbox.pendingCount() };
      events.emit('sync.state', s);
      return s;
    },
    syncNow: () => replicator.syncNow(),
    deadLetters: (limit) => outbox.deadLetters(limit),
    close: async () => {
      unsubscribe();
      await replicator.close();
    },
  };
}
