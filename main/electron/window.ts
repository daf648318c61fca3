import { BrowserWindow, session } from 'electron';
import type { Session, WebContents } from 'electron';
import type { Log } from '../app/terminal-types.js';
import { isAppPage } from './trusted-page.js';

/**
 * The same policy as the renderer's meta tag. The header is the second line of defence: it also
 * covers a page that lost or never had the meta tag.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the compiled app lives on disk (inside app.asar when packaged). */
export type AppFiles = {
  /** dist/renderer/index.html */
  page: string;
  /** dist/main/electron/preload.cjs */
  preload: string;
};

/**
 * Session-wide rules, set once after `ready`. The renderer never needs a browser permission:
 * peripherals are driven by main, so camera, geolocation, notifications, HID, serial … are all denied.
 */
export function hardenSession(ses: Session = session.defaultSession): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    // Only our own file pages: DevTools' devtools:// pages bring their own policy.
    if (!details.url.startsWith('file:')) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/**
 * Rules for every WebContents the app ever creates (wired to `web-contents-created`, so a
 * webContents we did not expect is covered too): no navigation away from the app page, no new
 * windows, no <webview>.
 */
export function hardenWebContents(contents: WebContents, appPagePath: string, log: Log): void {
  const guard = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isAppPage(event.url, appPagePath)) return;
    event.preventDefault();
    log(`electron: blocked ${kind} to ${event.url}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.setWindowOpenHandler(({ url }) => {
    log(`electron: blocked window.open of ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The terminal's one window, with every web feature it does not need switched off. */
export function createMainWindow(files: AppFiles, options: { kiosk: boolean; devTools: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    kiosk: options.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: files.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      devTools: options.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}
