import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '../api/contract.js';
import type { FakePort } from './testing/fake-message-channel.js';

// The Electron binary cannot run here, so main.ts runs against a stand-in for the parts of
// 'electron' it touches. Everything behind it is real: the sealed key file, the encrypted store,
// the dispatcher and the settings service.
const { state } = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');

  const { FakeMessageChannel: MessageChannelMain } = await import('./testing/fake-message-channel.js');

  function fakeElectron(options: { userData: string; gotLock?: boolean; keystore?: boolean }) {
    let loaded!: (page: string) => void;
    let exited!: (code: number) => void;
    const calls = {
      quit: 0,
      errorBoxes: [] as string[],
      windows: [] as FakeWindow[],
      loaded: new Promise<string>((resolve) => (loaded = resolve)),
      exited: new Promise<number>((resolve) => (exited = resolve)),
      permissionHandler: undefined as undefined | ((wc: unknown, permission: string, callback: (ok: boolean) => void) => void),
      headersHandler: undefined as undefined | ((details: object, callback: (response: object) => void) => void),
    };
    const app = Object.assign(new EventEmitter(), {
      isPackaged: true,
      requestSingleInstanceLock: () => options.gotLock ?? true,
      quit: () => void (calls.quit += 1),
      exit: (code: number) => exited(code),
      enableSandbox: () => {},
      whenReady: () => Promise.resolve(),
      getPath: (name: string) => (name === 'userData' ? options.userData : '/nonexistent'),
      getVersion: () => '0.1.0-test',
    });

    class FakeWindow extends EventEmitter {
      kiosk: boolean;
      readonly webContents;
      constructor(readonly options: { kiosk: boolean; webPreferences: Record<string, unknown> }) {
        super();
        this.kiosk = options.kiosk;
        const mainFrame = { processId: 1, routingId: 1, url: '', parent: null };
        this.webContents = Object.assign(new EventEmitter(), { id: 1, mainFrame, ipc: new EventEmitter(), setWindowOpenHandler: () => {} });
        calls.windows.push(this);
        app.emit('web-contents-created', {}, this.webContents);
      }
      async loadFile(page: string) {
        this.webContents.mainFrame.url = `file://${page}`;
        loaded(page);
      }
      isKiosk() {
        return this.kiosk;
      }
      setKiosk(kiosk: boolean) {
        this.kiosk = kiosk;
      }
      isDestroyed() {
        return false;
      }
      /** What the preload does: say hello from the main frame and take the port. */
      hello(): FakePort {
        let port: FakePort | undefined;
        const sender = { postMessage: (_c: string, _m: unknown, transfer: FakePort[]) => (port = transfer[0]) };
        this.webContents.ipc.emit('shopfloor:hello', { senderFrame: this.webContents.mainFrame, sender });
        if (!port) throw new Error('no port was handed out');
        return port;
      }
    }

    const module = {
      app,
      BrowserWindow: FakeWindow,
      MessageChannelMain,
      dialog: { showErrorBox: (_title: string, message: string) => calls.errorBoxes.push(message) },
      safeStorage: {
        isEncryptionAvailable: () => options.keystore ?? true,
        getSelectedStorageBackend: () => 'gnome_libsecret',
        encryptString: (text: string) => Buffer.from(`sealed:${Buffer.from(text).toString('base64')}`),
        decryptString: (blob: Buffer) => Buffer.from(blob.toString().slice('sealed:'.length), 'base64').toString(),
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (h: typeof calls.permissionHandler) => (calls.permissionHandler = h),
          setPermissionCheckHandler: () => {},
          setDevicePermissionHandler: () => {},
          webRequest: { onHeadersReceived: (h: typeof calls.headersHandler) => (calls.headersHandler = h) },
        },
      },
    };
    return { module, calls, app };
  }

  return { state: { current: undefined as ReturnType<typeof fakeElectron> | undefined, fakeElectron } };
});

vi.mock('electron', () => {
  const current = () => state.current!.module;
  return {
    get app() {
      return current().app;
    },
    get BrowserWindow() {
      return current().BrowserWindow;
    },
    get MessageChannelMain() {
      return current().MessageChannelMain;
    },
    get dialog() {
      return current().dialog;
    },
    get safeStorage() {
      return current().safeStorage;
    },
    get session() {
      return current().session;
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  state.current?.app.emit('will-quit');
  state.current = undefined;
  vi.resetModules();
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function launch(options: { gotLock?: boolean; keystore?: boolean } = {}) {
  const userData = mkdtempSync(join(tmpdir(), 'shopfloor-electron-'));
  dirs.push(userData);
  vi.spyOn(console, 'log').mockImplementation(() => {});
  state.current = state.fakeElectron({ userData, ...options });
  await import('./main.js');
  return { userData, ...state.current };
}

function reply(port: { on(e: 'message', l: (e: { data: ServerFrame }) => void): unknown }, match: (f: ServerFrame) => boolean) {
  return new Promise<ServerFrame>((resolve) => port.on('message', (e) => match(e.data) && resolve(e.data)));
}

describe('main (Electron entry)', () => {
  it('opens the store with a keystore-sealed key and shows one hardened window on the app page', async () => {
    const { calls, userData } = await launch();
    const page = await calls.loaded;
    expect(page).toMatch(/renderer[\\/]index\.html$/);
    expect(readFileSync(join(userData, 'store.key.sealed'), 'utf8')).toMatch(/^sealed:/);

    expect(calls.windows).toHaveLength(1);
    const win = calls.windows[0]!;
    expect(win.options.kiosk).toBe(false);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: false,
    });
    expect(String(win.options.webPreferences.preload)).toMatch(/preload\.cjs$/);

    const answers: boolean[] = [];
    calls.permissionHandler?.({}, 'media', (ok) => answers.push(ok));
    expect(answers).toEqual([false]);
    let headers: unknown;
    calls.headersHandler?.({ url: `file://${page}`, responseHeaders: {} }, (r) => (headers = r));
    expect(headers).toMatchObject({ responseHeaders: { 'Content-Security-Policy': [expect.stringContaining("script-src 'self'")] } });
  });

  it('serves the API to the page, and leaves kiosk mode to a manager (kiosk.test.ts)', async () => {
    const { calls } = await launch();
    await calls.loaded;
    const win = calls.windows[0]!;
    const port = win.hello();

    const status = reply(port, (f) => f.t === 'res' && f.id === 1);
    port.postMessage({ t: 'req', id: 1, domain: 'system', method: 'status', input: {} });
    expect(await status).toMatchObject({ result: { ok: true, value: { state: 'ready', appVersion: '0.1.0-test' } } });

    // A packaged device before enrolment has no staff: nobody at the till can change kiosk mode.
    const refused = reply(port, (f) => f.t === 'res' && f.id === 2);
    port.postMessage({ t: 'req', id: 2, domain: 'settings', method: 'update', input: { kiosk: true } });
    expect(await refused).toMatchObject({ result: { ok: false, error: { code: 'NOT_LOGGED_IN' } } });
    expect(win.isKiosk()).toBe(false);
  });

  it('leaves at once when another instance is running, without touching the store', async () => {
    const { calls } = await launch({ gotLock: false });
    expect(calls.quit).toBe(1);
    expect(calls.windows).toHaveLength(0);
  });

  it('refuses to create a key it cannot protect, and shows the store error screen saying so', async () => {
    const { calls } = await launch({ keystore: false });
    await calls.loaded;
    const win = calls.windows[0]!;
    const port = win.hello();
    const status = reply(port, (f) => f.t === 'res' && f.id === 1);
    port.postMessage({ t: 'req', id: 1, domain: 'system', method: 'status', input: {} });
    const frame = (await status) as { result: { ok: true; value: { state: string; problem: { reason: string; message: string } } } };
    expect(frame.result.value).toMatchObject({ state: 'store_error', problem: { reason: 'unreadable' } });
    expect(frame.result.value.problem.message).toMatch(/OS keystore is not available/);
  });
});
