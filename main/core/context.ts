import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Domain, SyncState } from '../api/contract.js';
import type { Handlers } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';
import type { OutboxContext } from '../store/outbox.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import type { Log } from './log.js';
import type { StoreInfoProvider } from './store-info.js';

/**
 * What every domain's services may get from the terminal: the store, the outbox, events, the
 * device's store and the injected side effects. Domains take the parts they use.
 */
export type TerminalContext = {
  db: Database;
  /** Pass to writeChange(): every local change goes out through it. */
  outbox: OutboxContext;
  events: EventBus;
  clock: () => Date;
  newId: IdGenerator;
  deviceId: string;
  storeId: string;
  store: StoreInfoProvider;
  dataDir: string;
  log: Log;
  /** Recomputes and pushes `sync.state` (call after writing outbox events). */
  announceSync(): SyncState;
};

/** A domain plugged into the terminal: its guarded handlers and, if it holds resources (ports, timers), how to release them. */
export type DomainModule<D extends Domain> = { handlers: Handlers[D]; close?: () => void | Promise<void> };

/** The handler map of a set of modules, for the dispatcher. */
export function handlersOf(modules: Partial<{ [D in Domain]: DomainModule<D> }>): Partial<Handlers> {
  return Object.fromEntries(Object.entries(modules).map(([domain, m]) => [domain, m.handlers])) as Partial<Handlers>;
}
