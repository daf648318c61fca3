/**
 * The Electron app's entry (package.json "main": dist/main/electron/main.js). It only wires
 * Electron to the terminal: the services are the same ones the browser host runs.
 */
import { app, dialog, safeStorage } from 'electron';
import type { BrowserWindow } from 'electron';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTerminal } from '../app/terminal.js';
import type { Log, Terminal } from '../app/terminal-types.js';
import { fileKeyStore } from '../store/key-store.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { enrolStoreIfNeeded } from '../sync/enrol-store.js';
import { attachIpc } from './ipc-adapter.js';
import { followContentProtection } from './content-protection.js';
import { followKioskSetting, readKioskSetting } from './kiosk.js';
import { safeStorageSealer } from './safe-storage-sealer.js';
import { createMainWindow, hardenSession, hardenWebContents } from './window.js';
import type { AppFiles } from './window.js';

// Relative to this file, so the paths hold both in the project (`electron .`) and inside app.asar.
const files: AppFiles = {
  page: fileURLToPath(new URL('../../renderer/index.html', import.meta.url)),
  preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
};

const log: Log = (message, detail) => {
  if (detail === undefined) console.log(`[shopfloor] ${message}`);
  else console.log(`[shopfloor] ${message}`, detail);
};

let terminal: Terminal | undefined;
let mainWindow: BrowserWindow | undefined;

function fatal(error: unknown): void {
  log('electron: could not start', error);
  dialog.showErrorBox('Shopfloor could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession();
  const dataDir = app.getPath('userData');
  const sealer = safeStorageSealer(safeStorage, {
    allowBasicText: process.env.SHOPFLOOR_ALLOW_BASIC_TEXT_KEYSTORE === '1',
  });
  const keyStore = fileKeyStore(join(dataDir, 'store.key.sealed'), sealer, 'safeStorage');
  // HQ (set by `npm start` or the installer): a device not enrolled yet enrols before it opens, so its
  // store comes from HQ; an enrolled one ignores the code. A failed enrolment is fatal (shown in a dialog).
  const hqUrl = process.env.SHOPFLOOR_HQ_URL || undefined;
  const enrolCode = process.env.SHOPFLOOR_ENROL_CODE || undefined;
  if (hqUrl && enrolCode) {
    await enrolStoreIfNeeded({
      dataDir,
      keyStore,
      hqUrl,
      code: enrolCode,
      appVersion: app.getVersion(),
      hostname: hostname(),
      newId: uuidv7Generator(),
      log,
    });
  }
  terminal = openTerminal({
    dataDir,
    keyStore,
    ...(hqUrl ? { hq: { url: hqUrl } } : {}),
    appVersion: app.getVersion(),
    log,
    // A shipped device provisions from HQ; the sample brand (imported only here) is for a developer's machine.
    ...(app.isPackaged ? {} : { seed: (await import('../../fixtures/sample-seeder.js')).sampleSeeder({ skus: 20_000, customers: 5_000 }) }),
    // A developer's machine has no receipt printer: print into the simulator there, never on a store device.
    virtualPrinter: app.isPackaged ? 'off' : (process.env.SHOPFLOOR_VIRTUAL_PRINTER ?? 'on'),
  });

  const win = createMainWindow(files, { kiosk: await readKioskSetting(terminal, log), devTools: !app.isPackaged });
  mainWindow = win;
  win.on('closed', () => {
    mainWindow = undefined;
  });
  // Before loadFile: the preload says hello as soon as the page starts.
  attachIpc(win, terminal, files.page, log);
  followKioskSetting(win, terminal);
  followContentProtection(win, terminal); // the customer book (issue 11): no screen capture of customers
  await win.loadFile(files.page);
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns this device's store and outbox; a second one would push the same events twice.
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, files.page, log));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    terminal?.close();
    terminal = undefined;
  });
  start().catch(fatal);
}
