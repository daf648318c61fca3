import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../api/event-bus.js';
import { followContentProtection } from './content-protection.js';

/** A window as far as content protection goes (the Electron binary cannot run here). */
class FakeWindow extends EventEmitter {
  protectedNow = false;
  destroyed = false;
  setContentProtection(on: boolean): void {
    this.protectedNow = on;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

describe('content protection of the customer screens', () => {
  it('blocks screen capture while a customer screen shows, allows it again after, and stops with the window', () => {
    const events = new EventBus();
    const win = new FakeWindow();
    followContentProtection(win as never, { events });
    events.emit('customers.privacy', { protect: true });
    expect(win.protectedNow).toBe(true);
    events.emit('settings.changed', {} as never);
    expect(win.protectedNow).toBe(true);
    events.emit('customers.privacy', { protect: false });
    expect(win.protectedNow).toBe(false);
    win.emit('closed');
    events.emit('customers.privacy', { protect: true });
    expect(win.protectedNow).toBe(false);
    expect(events.size).toBe(0);
  });
});
