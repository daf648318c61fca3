import type { BrowserWindow } from 'electron';
import type { Terminal } from '../app/terminal-types.js';

/**
 * Blocks screen capture of the window while a customer screen shows (the renderer says so with
 * `customers.privacy`; WePhone's rule: the customer book is not photographed off the screen by
 * software), and allows it again when it is left — the till's other screens stay capturable for
 * support. Until the window closes.
 */
export function followContentProtection(
  win: Pick<BrowserWindow, 'setContentProtection' | 'isDestroyed' | 'once'>,
  terminal: Pick<Terminal, 'events'>,
): void {
  const unsubscribe = terminal.events.subscribe((frame) => {
    if (frame.name !== 'customers.privacy' || win.isDestroyed()) return;
    win.setContentProtection((frame.payload as { protect: boolean }).protect);
  });
  win.once('closed', unsubscribe);
}
