// The shared base styles first: every other stylesheet comes after them in the cascade.
import './ui/base-styles.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { createServices } from './app/create-services.js';
import { ServicesContext } from './app/services.js';

// Created once, outside React: the connection and the scanner must not restart with a re-render.
const services = createServices(window);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ServicesContext value={services}>
      <App />
    </ServicesContext>
  </StrictMode>,
);
