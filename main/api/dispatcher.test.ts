import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';
import type { EventFrame, Result } from './contract.js';
import { createDispatcher, handleFrame } from './dispatcher.js';
import type { Handlers } from './dispatcher.js';
import { open } from './guards.js';

let t: TestTerminal;
const ctx = { transport: 'test' as const, connectionId: 't1' };
beforeAll(() => {
  t = testTerminal();
});
afterAll(() => t.cleanup());

const call = (domain: string, method: string, input: unknown) => t.terminal.dispatch(domain, method, input, ctx);
function errorOf(result: Result<unknown>) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value).slice(0, 200)}`);
  return result.error;
}
async function pending(): Promise<number> {
  const status = await call('system', 'status', {});
  if (!status.ok || (status.value as { state: string }).state !== 'ready') throw new Error('terminal not ready');
  return (status.value as { sync: { pendingEvents: number } }).sync.pendingEvents;
}

describe('input validation in main', () => {
  it.each([
    ['missing field', {}, 'query'],
    ['wrong type', { query: 6901234567892 }, 'query'],
    ['empty after trim', { query: '   ' }, 'query'],
    ['too long', { query: '9'.repeat(65) }, 'query'],
    ['unknown field', { query: 'x', admin: true }, '(input)'],
    ['not an object', 'SF24W0001', '(input)'],
  ])('catalog.lookup rejects %s with BAD_INPUT', async (_case, input, path) => {
    const error = errorOf(await call('catalog', 'lookup', input));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.issues?.map((i) => i.path)).toContain(path);
  });

  it.each([
    ['system', 'nope'],
    ['nope', 'status'],
    ['__proto__', 'toString'],
    ['catalog', 'constructor'],
    ['catalog', 'hasOwnProperty'],
  ])('%s.%s is UNKNOWN_METHOD', async (domain, method) => {
    expect(errorOf(await call(domain, method, {})).code).toBe('UNKNOWN_METHOD');
  });

  it('rejects bad settings without writing anything', async () => {
    const before = await pending();
    for (const input of [
      { wedge: { maxInterKeyMs: 1 } },
      { language: 'fr' },
      { kiosk: 'yes' },
      { wedge: { terminator: 'Space' } },
      { theme: 'dark' },
    ]) {
      expect(errorOf(await call('settings', 'update', input)).code).toBe('BAD_INPUT');
    }
    expect(await pending()).toBe(before);
  });

  it('applies a valid settings change, audits it in the outbox and tells every renderer', async () => {
    // The scanner thresholds are the terminal's setup: a manager changes them (logging in writes an audit event too).
    await call('staff', 'login', { code: 'S001-01', pin: '0101' });
    const seen: EventFrame[] = [];
    const unsubscribe = t.terminal.events.subscribe((f) => seen.push(f));
    const before = await pending();
    const result = await call('settings', 'update', { language: 'en', wedge: { maxInterKeyMs: 60 } });
    unsubscribe();
    expect(result.ok && result.value).toMatchObject({ language: 'en', wedge: { maxInterKeyMs: 60, minLength: 6 } });
    expect(await pending()).toBe(before + 1);
    expect(seen.map((f) => f.name)).toEqual(['settings.changed', 'sync.state']);
    // The same change again changes nothing and writes nothing.
    await call('settings', 'update', { language: 'en' });
    expect(await pending()).toBe(before + 1);
    await call('staff', 'logout', {});
  });

  it('turns a handler bug into INTERNAL without leaking its message', async () => {
    const logged: string[] = [];
    const handlers = {
      system: {
        status: open(() => {
          throw new TypeError('secret internals');
        }),
      },
    } as unknown as Handlers;
    const error = errorOf(await createDispatcher(handlers, { log: (m) => logged.push(m), gate: null })('system', 'status', {}, ctx));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('secret');
    expect(logged).toEqual(['system.status failed']);
  });
});

describe('frames', () => {
  const bad: string[] = [];
  const frame = (raw: unknown) => handleFrame(t.terminal.dispatch, raw, ctx, (r) => bad.push(r));

  it('answers a well-formed request', async () => {
    const response = await frame(JSON.stringify({ t: 'req', id: 7, domain: 'system', method: 'status', input: {} }));
    expect(response).toMatchObject({ t: 'res', id: 7, result: { ok: true, value: { state: 'ready' } } });
  });

  it('answers a malformed frame that has an id with BAD_INPUT', async () => {
    const response = await frame({ t: 'req', id: 8, domain: 5 });
    expect(response?.result.ok).toBe(false);
    expect(response && !response.result.ok && response.result.error.code).toBe('BAD_INPUT');
  });

  it('drops garbage and reports it, without throwing', async () => {
    bad.length = 0;
    for (const raw of ['not json{', '"just a string"', 'null', '[]', JSON.stringify({ id: -1 }), 'x'.repeat(1_000_001)]) {
      expect(await frame(raw)).toBeUndefined();
    }
    expect(bad).toHaveLength(6);
  });
});
