import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../api/event-bus.js';
import type { Dispatch } from '../api/dispatcher.js';
import type { ServerFrame } from '../api/contract.js';

// The Electron binary cannot run here: MessageChannelMain is replaced by an in-memory pair with
// the same surface (message/close events, start, postMessage with structured clones, close).
// vi.hoisted runs before the imports above, so it loads EventEmitter itself.
const { FakeChannel } = await vi.hoisted(async () => {
  const { FakeMessageChannel } = await import('./testing/fake-message-channel.js');
  return { FakeChannel: FakeMessageChannel };
});
vi.mock('electron', () => ({ MessageChannelMain: FakeChannel }));

const { attachIpc } = await import('./ipc-adapter.js');

type Port = InstanceType<typeof FakeChannel>['port2'];
const page = '/app/dist/renderer/index.html';
const pageUrl = 'file:///app/dist/renderer/index.html';

function setup() {
  const mainFrame = { processId: 3, routingId: 1, url: pageUrl, parent: null };
  const ipc = new EventEmitter();
  const contents = Object.assign(new EventEmitter(), { id: 9, mainFrame, ipc });
  const ports: Port[] = [];
  const sender = { postMessage: (_channel: string, _message: unknown, transfer: Port[]) => ports.push(...transfer) };
  const events = new EventBus();
  const calls: unknown[] = [];
  const dispatch: Dispatch = async (domain, method, input, ctx) => {
    calls.push({ domain, method, input, ctx });
    return { ok: true, value: { echoed: input } };
  };
  const logs: string[] = [];
  attachIpc({ webContents: contents } as never, { dispatch, events }, page, (message) => logs.push(message));
  const hello = (frame: object = mainFrame) => ipc.emit('shopfloor:hello', { senderFrame: frame, sender });
  return { contents, mainFrame, ports, events, calls, logs, hello };
}

function nextFrame(port: Port): Promise<ServerFrame> {
  return new Promise((resolve) => port.once('message', (e: { data: ServerFrame }) => resolve(e.data)));
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('attachIpc', () => {
  it('answers requests and pushes events on the port it hands to the app page', async () => {
    const t = setup();
    t.hello();
    const port = t.ports[0]!;
    expect(port).toBeDefined();

    port.postMessage({ t: 'req', id: 1, domain: 'catalog', method: 'lookup', input: { query: '5701234567899' } });
    expect(await nextFrame(port)).toEqual({ t: 'res', id: 1, result: { ok: true, value: { echoed: { query: '5701234567899' } } } });
    expect(t.calls).toEqual([
      { domain: 'catalog', method: 'lookup', input: { query: '5701234567899' }, ctx: { transport: 'ipc', connectionId: 'ipc-9-1' } },
    ]);

    const pushed = nextFrame(port);
    t.events.emit('settings.changed', {
      language: 'en',
      kiosk: true,
      wedge: { maxInterKeyMs: 30, minLength: 6, terminator: 'Enter', prefix: '', suffix: '' },
    });
    expect(await pushed).toMatchObject({ t: 'evt', name: 'settings.changed', payload: { kiosk: true } });
  });

  it('answers a malformed request with an error instead of dropping it', async () => {
    const t = setup();
    t.hello();
    const port = t.ports[0]!;
    port.postMessage({ t: 'req', id: 2, domain: 'catalog' });
    expect(await nextFrame(port)).toMatchObject({ t: 'res', id: 2, result: { ok: false, error: { code: 'BAD_INPUT' } } });
  });

  it('gives no port to a sub-frame or to a page other than the app', () => {
    const t = setup();
    t.hello({ processId: 3, routingId: 2, url: pageUrl, parent: t.mainFrame });
    t.hello({ ...t.mainFrame, url: 'https://evil.example/' });
    expect(t.ports).toEqual([]);
    expect(t.logs).toHaveLength(2);
    expect(t.logs.every((l) => l.includes('refused shopfloor:hello'))).toBe(true);
  });

  it('stops pushing to the old page after a reload says hello again', async () => {
    const t = setup();
    t.hello();
    t.hello();
    expect(t.ports).toHaveLength(2);
    expect(t.events.size).toBe(1);
    const [oldPort, newPort] = t.ports as [Port, Port];
    const stale = vi.fn();
    oldPort.on('message', stale);
    const pushed = nextFrame(newPort);
    t.events.emit('sync.state', {
      hq: 'not_configured',
      pendingEvents: 0,
      lastSyncAt: null,
      deadLetters: 0,
      lastError: null,
      provisioning: null,
    });
    expect(await pushed).toMatchObject({ name: 'sync.state' });
    expect(stale).not.toHaveBeenCalled();
  });

  it('unsubscribes when the page closes its port or the window goes away', async () => {
    const t = setup();
    t.hello();
    t.ports[0]!.close();
    await settle();
    expect(t.events.size).toBe(0);

    t.hello();
    expect(t.events.size).toBe(1);
    t.contents.emit('destroyed');
    expect(t.events.size).toBe(0);
  });
});
