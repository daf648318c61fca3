import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { connect } from './api/connect.js';
import { startWedgeScanner } from './scanner/start-wedge-scanner.js';
import { createAppStore } from './app/app-store.js';
import { createLookupStore } from './features/lookup/lookup-store.js';
import { createDevicesStore } from './features/devices/devices-store.js';
import { createDevicesWedgeStore } from './features/devices/devices-wedge-store.js';
import { IDLE_LOCK_MS, createSessionStore, lockWhenIdle } from './features/session/session-store.js';
import { createCartStore } from './features/checkout/cart-store.js';
import { createTillStore } from './features/cashup/till-store.js';
import { ServicesContext } from './app/services.js';
import './styles.css';

function localStorageOrUndefined(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled by policy
  }
}

// Created once, outside React: the connection and the scanner must not restart with a re-render.
const api = connect(window);
const app = createAppStore(api, localStorageOrUndefined());
const lookup = createLookupStore(api);
const devices = createDevicesStore(api);
const devicesWedge = createDevicesWedgeStore(api);
const session = createSessionStore(api);
const cart = createCartStore(api, session);
const till = createTillStore(api, session);
lockWhenIdle(window, session, IDLE_LOCK_MS);
const scanner = startWedgeScanner(window, api, (error) => lookup.getState().scanSubmitFailed(error));
app.subscribe((state, previous) => {
  const wedge = state.settings?.wedge;
  if (wedge && wedge !== previous.settings?.wedge) scanner.configure(wedge);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ServicesContext value={{ api, app, lookup, devices, devicesWedge, session, cart, till }}>
      <App />
    </ServicesContext>
  </StrictMode>,
);
