import type { BrowserWindow } from 'electron';
import type { Settings } from '../api/contract.js';
import type { Log, Terminal } from '../app/terminal-types.js';

/**
 * The kiosk setting as the store has it. A store that did not open has no settings: the window
 * then stays a normal window, so whoever fixes the device can reach the desktop.
 */
export async function readKioskSetting(terminal: Pick<Terminal, 'dispatch'>, log: Log): Promise<boolean> {
  const result = await terminal.dispatch('settings', 'get', {}, { transport: 'ipc', connectionId: 'electron-main' });
  if (!result.ok) {
    log(`electron: kiosk setting unavailable (${result.error.code}); starting windowed`);
    return false;
  }
  return (result.value as Settings).kiosk === true;
}

/** Keeps the window's kiosk mode in step with the setting until the window closes. */
export function followKioskSetting(win: BrowserWindow, terminal: Pick<Terminal, 'events'>): void {
  const unsubscribe = terminal.events.subscribe((frame) => {
    if (frame.name !== 'settings.changed' || win.isDestroyed()) return;
    const kiosk = (frame.payload as Settings).kiosk;
    if (win.isKiosk() !== kiosk) win.setKiosk(kiosk);
  });
  win.once('closed', unsubscribe);
}
