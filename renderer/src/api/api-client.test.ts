// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ApiClient, isConnectionError } from './api-client.js';
import { ChannelListeners, subscribe } from './channel.js';
import type { Channel } from './channel.js';
import type { RequestFrame } from './contract.js';

class FakeChannel implements Channel {
  readonly listeners = new ChannelListeners();
  readonly sent: RequestFrame[] = [];
  open = true;

  send(frame: RequestFrame): boolean {
    if (!this.open) return false;
    this.sent.push(frame);
    return true;
  }
  isOpen = () => this.open;
  onFrame = (l: (frame: unknown) => void) => subscribe(this.listeners.frame, l);
  onOpen = (l: () => void) => subscribe(this.listeners.open, l);
  onClose = (l: () => void) => subscribe(this.listeners.close, l);
  dispose(): void {}

  drop(): void {
    this.open = false;
    this.listeners.emitClose();
  }
}

describe('ApiClient', () => {
  it('matches answers to requests by id, whatever their order', async () => {
    const channel = new FakeChannel();
    const client = new ApiClient(channel);
    const a = client.call('catalog', 'lookup', { query: 'a' });
    const b = client.call('catalog', 'style', { styleCode: 'B' });
    const [reqA, reqB] = channel.sent;
    expect(reqA).toMatchObject({ t: 'req', domain: 'catalog', method: 'lookup', input: { query: 'a' } });
    channel.listeners.emitFrame({ t: 'res', id: reqB?.id, result: { ok: false, error: { code: 'NOT_FOUND', message: 'no' } } });
    channel.listeners.emitFrame({ t: 'res', id: reqA?.id, result: { ok: true, value: { match: 'search', styles: [], truncated: false } } });
    expect(await a).toEqual({ ok: true, value: { match: 'search', styles: [], truncated: false } });
    expect(await b).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no' } });
  });

  it('fails pending calls with a local connection error when the channel closes, and calls while closed at once', async () => {
    const channel = new FakeChannel();
    const client = new ApiClient(channel);
    const pending = client.call('system', 'status', {});
    channel.drop();
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INTERNAL');
      expect(isConnectionError(result.error)).toBe(true);
    }
    const later = await client.call('settings', 'get', {});
    expect(!later.ok && isConnectionError(later.error)).toBe(true);
  });

  it('delivers events to their listeners and survives malformed frames and throwing listeners', () => {
    const channel = new FakeChannel();
    const errors: unknown[] = [];
    const client = new ApiClient(channel, { onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    client.on('sync.state', () => {
      throw new Error('broken screen');
    });
    client.on('sync.state', (s) => seen.push(s.pendingEvents));
    channel.listeners.emitFrame('garbage');
    channel.listeners.emitFrame({ t: 'res', id: 'x' });
    channel.listeners.emitFrame({ t: 'evt', name: 'sync.state', payload: { hq: 'not_configured', pendingEvents: 4, lastSyncAt: null } });
    expect(seen).toEqual([4]);
    expect(errors).toHaveLength(1);
  });
});
