import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Domain, SyncState } from '../api/contract.js';
import type { Handlers } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';
import type { OutboxContext } from '../store/outbox.js';
import type { IdGenerator } from '../store/uuidv7.js';
import type { Log } from './terminal-types.js';

/** What every domain's services get from the terminal: the store, the outbox, events and the injected side effects. */
export type TerminalContext = {
  db: Database;
  /** Pass to writeChange(): every local change goes out through it. */
  outbox: OutboxContext;
  events: EventBus;
  clock: () => Date;
  newId: IdGenerator;
  deviceId: string;
  storeId: string;
  dataDir: string;
  log: Log;
  /** Recomputes and pushes `sync.state` (call after writing outbox events). */
  announceSync(): SyncState;
};

/** A domain plugged into the terminal: its handlers and, if it holds resources (ports, timers), how to release them. */
export type DomainModule<D extends Domain> = { handlers: Handlers[D]; close?: () => void | Promise<void> };
