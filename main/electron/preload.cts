// Sandboxed preloads are loaded as CommonJS scripts with a reduced `require` (electron, events,
// timers, url): this file must stay a .cts with no imports beyond 'electron'.
//
// It exposes nothing through contextBridge. The page's only way to main is the MessagePort
// handed over below, and main only answers a hello from our own window showing our own page.
// `import … from` is an error in a .cts under verbatimModuleSyntax; this is the CommonJS form.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

// Channel names repeated from ipc-adapter.ts: importing that module would pull main-process code
// into the sandbox, where it cannot load.
const HELLO_CHANNEL = 'shopfloor:hello';
const PORT_CHANNEL = 'shopfloor:port';

/** The bits of the isolated world's `window` this script uses (the build has no DOM lib). */
type PageWindow = {
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
  addEventListener(type: 'load', listener: () => void, options: { once: boolean }): void;
  document: { readyState: string };
};
const page = globalThis as unknown as PageWindow;

// The page registers its 'message' listener while its scripts run, which is before 'load';
// posting earlier could drop the port on the floor (the pattern in Electron's MessagePorts guide).
const pageLoaded = new Promise<void>((resolve) => {
  if (page.document.readyState === 'complete') resolve();
  else page.addEventListener('load', () => resolve(), { once: true });
});

electron.ipcRenderer.on(PORT_CHANNEL, (event) => {
  void pageLoaded.then(() => {
    // '*' because a file:// page has an opaque origin; the message never leaves this window.
    page.postMessage(PORT_CHANNEL, '*', event.ports);
  });
});
electron.ipcRenderer.send(HELLO_CHANNEL);
