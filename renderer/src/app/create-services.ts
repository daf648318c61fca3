import { connect } from '../api/connect.js';
import { startWedgeScanner } from '../scanner/start-wedge-scanner.js';
import { createAppStore } from './app-store.js';
import { createLookupStore } from '../features/lookup/lookup-store.js';
import { createDevicesStore } from '../features/devices/devices-store.js';
import { createDevicesWedgeStore } from '../features/devices/devices-wedge-store.js';
import { IDLE_LOCK_MS, createSessionStore, lockWhenIdle } from '../features/session/session-store.js';
import { createCartStore } from '../features/checkout/cart-store.js';
import { createTillStore } from '../features/cashup/till-store.js';
import { createCustomersStore } from '../features/customers/customers-store.js';
import type { Services } from './services.js';

function localStorageOrUndefined(win: Window): Storage | undefined {
  try {
    return win.localStorage;
  } catch {
    return undefined; // storage disabled by policy
  }
}

/**
 * The connection, every feature's store, the idle lock and the wedge scanner. Called once at
 * start-up, outside React: the connection and the scanner must not restart with a re-render.
 */
export function createServices(win: Window): Services {
  const api = connect(win);
  const app = createAppStore(api, localStorageOrUndefined(win));
  const lookup = createLookupStore(api);
  const devices = createDevicesStore(api);
  const devicesWedge = createDevicesWedgeStore(api);
  const session = createSessionStore(api);
  const cart = createCartStore(api, session);
  const till = createTillStore(api, session);
  const customers = createCustomersStore(api, session);
  lockWhenIdle(win, session, IDLE_LOCK_MS);
  const scanner = startWedgeScanner(win, api, (error) => lookup.getState().scanSubmitFailed(error));
  app.subscribe((state, previous) => {
    const wedge = state.settings?.wedge;
    if (wedge && wedge !== previous.settings?.wedge) scanner.configure(wedge);
  });
  return { api, app, lookup, devices, devicesWedge, session, cart, till, customers };
}
