import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connect } from './api/connect.js';
import { startWedgeScanner } from './scanner/start-wedge-scanner.js';
import { createAppStore } from './state/app-store.js';
import { createLookupStore } from './state/lookup-store.js';
import { ServicesContext } from './state/services.js';
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
const scanner = startWedgeScanner(window, api, (error) => lookup.getState().scanSubmitFailed(error));
app.subscribe((state, previous) => {
  const wedge = state.settings?.wedge;
  if (wedge && wedge !== previous.settings?.wedge) scanner.configure(wedge);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ServicesContext value={{ api, app, lookup }}>
      <App />
    </ServicesContext>
  </StrictMode>,
);
