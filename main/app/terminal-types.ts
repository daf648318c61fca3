import type { Dispatch } from '../api/dispatcher.js';
import type { GuardKind } from '../api/guards.js';
import type { EventBus } from '../api/event-bus.js';
import type { SystemStatus } from '../api/contract.js';
import type { KeyStore } from '../store/key-store.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import type { PaymentProvider } from '../checkout/payments.js';

export type { Log } from '../core/log.js';
import type { Log } from '../core/log.js';

export type { StoreSeeder } from '../store/open-store.js';
import type { StoreSeeder } from '../store/open-store.js';

export type TerminalOptions = {
  /** Folder holding the store (shopfloor.db), its key file (browser host) and logs. */
  dataDir: string;
  keyStore: KeyStore;
  appVersion: string;
  log: Log;
  clock?: () => Date;
  newId?: IdGenerator;
  /**
   * Fills a *new* store and names the device's store, inside the transaction that gives the device
   * its identity (fixtures/sample-seeder.ts for the demo, tests and benchmarks). Unset: a new store
   * stays empty, as a real device's does until it provisions from HQ.
   */
  seed?: StoreSeeder;
  /**
   * With no printer in the device profile, print to the virtual ESC/POS printer: `on` (a free
   * port) or a port number. The browser host turns it on for demos and tests; a store terminal
   * leaves it off, so a missing printer is reported instead of printing into a simulator.
   */
  virtualPrinter?: string;
  /**
   * HQ sync of an enrolled device (enrolment stores HQ's address in the store). `url` overrides
   * that address (HQ moved; tests put a proxy in between). A device that never enrolled stays standalone.
   */
  hq?: { url?: string };
  /** The mobile payment gateway (default: the sandbox). */
  payments?: PaymentProvider;
};

/** The terminal's services, transport-agnostic: the Electron adapter and the browser host both drive this. */
export type Terminal = {
  readonly dispatch: Dispatch;
  readonly events: EventBus;
  /** `domain.method` → the guard its handler declares (every method of the contract has one). */
  readonly guards: Readonly<Record<string, GuardKind>>;
  status(): SystemStatus;
  /**
   * Stops the domains and closes the store at once. The promise settles when they are done with
   * everything they started — sync's last checkpoint runs in a worker on a connection of its own,
   * and may still be writing the store's files — so a caller that removes the store's folder
   * (a test, a bench) waits for it; an app that is quitting need not.
   */
  close(): Promise<void>;
};
