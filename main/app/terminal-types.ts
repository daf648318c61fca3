import type { Dispatch } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';
import type { SystemStatus } from '../api/contract.js';
import type { KeyStore } from '../store/key-store.js';
import type { IdGenerator } from '../store/uuidv7.js';

export type Log = (message: string, detail?: unknown) => void;

export type TerminalOptions = {
  /** Folder holding the store (shopfloor.db), its key file (browser host) and logs. */
  dataDir: string;
  keyStore: KeyStore;
  appVersion: string;
  log: Log;
  clock?: () => Date;
  newId?: IdGenerator;
  /**
   * Sample data loaded into a *new* store, so `npm start` shows a working store without HQ.
   * `false` leaves a new store empty (a real device provisions from HQ).
   */
  sampleData?: { skus: number; customers: number; seed?: string } | false;
  /**
   * With no printer in the device profile, print to the virtual ESC/POS printer: `on` (a free
   * port) or a port number. The browser host turns it on for demos and tests; a store terminal
   * leaves it off, so a missing printer is reported instead of printing into a simulator.
   */
  virtualPrinter?: string;
};

/** The terminal's services, transport-agnostic: the Electron adapter and the browser host both drive this. */
export type Terminal = {
  readonly dispatch: Dispatch;
  readonly events: EventBus;
  status(): SystemStatus;
  close(): void;
};
