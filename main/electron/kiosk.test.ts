import { EventEmitter } from 'node:events';
import type { BrowserWindow } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { followKioskSetting, readKioskSetting } from './kiosk.js';

/** The part of a BrowserWindow kiosk.ts touches. */
class KioskWindow extends EventEmitter {
  kiosk = false;
  destroyed = false;
  isKiosk = () => this.kiosk;
  setKiosk = (k: boolean) => void (this.kiosk = k);
  isDestroyed = () => this.destroyed;
}

let t: TestTerminal | undefined;
afterEach(() => t?.cleanup());

describe('kiosk mode follows the store setting', () => {
  it('only a manager changes it, and the window follows the change until it closes', async () => {
    t = testTerminal({ skus: 50, customers: 5 });
    const call = { transport: 'test' as const, connectionId: 'till' };
    const win = new KioskWindow();
    followKioskSetting(win as unknown as BrowserWindow, t.terminal);
    expect(await readKioskSetting(t.terminal, () => undefined)).toBe(false);

    // Logged out, or a cashier: leaving (or entering) kiosk mode is refused and the window stays as it is.
    const loggedOut = await t.terminal.dispatch('settings', 'update', { kiosk: true }, call);
    expect(loggedOut.ok || loggedOut.error.code).toBe('NOT_LOGGED_IN');
    await t.terminal.dispatch('staff', 'login', { code: 'S001-02', pin: demoPin('S001-02') }, call);
    const cashier = await t.terminal.dispatch('settings', 'update', { kiosk: true }, call);
    expect(cashier.ok || cashier.error.code).toBe('FORBIDDEN');
    expect(win.kiosk).toBe(false);

    await t.terminal.dispatch('staff', 'logout', {}, call);
    await t.terminal.dispatch('staff', 'login', { code: 'S001-01', pin: demoPin('S001-01') }, call);
    expect((await t.terminal.dispatch('settings', 'update', { kiosk: true }, call)).ok).toBe(true);
    expect(win.kiosk).toBe(true);
    expect(await readKioskSetting(t.terminal, () => undefined)).toBe(true);

    win.emit('closed');
    expect((await t.terminal.dispatch('settings', 'update', { kiosk: false }, call)).ok).toBe(true);
    expect(win.kiosk).toBe(true);
  });
});
