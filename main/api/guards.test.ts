import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';
import { contract } from './contract.js';
import { createDispatcher } from './dispatcher.js';
import { AppError } from './errors.js';
import type { Handlers } from './dispatcher.js';
import { GUARD_KINDS, open, role } from './guards.js';
import type { SessionGate } from './guards.js';

let t: TestTerminal;
beforeAll(() => {
  t = testTerminal({ skus: 50, customers: 5 });
});
afterAll(() => t.cleanup());

describe('guards', () => {
  it('every method of the contract has a handler that declares its guard', () => {
    const methods = Object.entries(contract).flatMap(([domain, ms]) => Object.keys(ms).map((m) => `${domain}.${m}`));
    expect(methods.length).toBeGreaterThan(50);
    const missing = methods.filter((m) => !GUARD_KINDS.includes(t.terminal.guards[m]!));
    expect(missing).toEqual([]);
    expect(Object.keys(t.terminal.guards).sort()).toEqual(methods.sort());
  });

  it('money and the cart are never open: every checkout, returns, sales and cashup call needs staff', () => {
    const open = Object.entries(t.terminal.guards).filter(([m, g]) => /^(checkout|returns|sales|cashup)\./.test(m) && g === 'open');
    expect(open).toEqual([]);
  });

  it('refuses to build a dispatcher with a handler that declares no guard', () => {
    const bare = { system: { status: () => ({ state: 'ready' }) } } as unknown as Handlers;
    expect(() => createDispatcher(bare, { log: () => undefined, gate: null })).toThrow(/system\.status declares no guard/);
    const stranger = { system: { nope: open(() => 1) } } as unknown as Handlers;
    expect(() => createDispatcher(stranger, { log: () => undefined, gate: null })).toThrow(
      /system\.nope is registered but not in the contract/,
    );
  });

  it('checks the guard before the handler runs, with the error the guard names', async () => {
    let ran = 0;
    const gate: SessionGate = {
      present: () => null,
      signedIn: () => ({ id: 'g', code: 'S001-04', name: 'Guide', role: 'guide' }),
      active: () => ({ id: 'g', code: 'S001-04', name: 'Guide', role: 'guide' }),
      require: (capability) => {
        throw new AppError('FORBIDDEN', `A guide may not do this (${capability})`);
      },
      authorize: () => ({ approvedBy: null }),
    };
    const handlers = {
      checkout: {
        cart: role('sell', () => {
          ran++;
          return {};
        }),
      },
    } as unknown as Handlers;
    const call = { transport: 'test' as const, connectionId: 'c' };
    const result = await createDispatcher(handlers, { log: () => undefined, gate })('checkout', 'cart', {}, call);
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'A guide may not do this (sell)' } });
    expect(ran).toBe(0);
  });

  it('a logged-out caller gets NOT_LOGGED_IN from a session guard, and a guide FORBIDDEN from a role guard', async () => {
    const call = { transport: 'test' as const, connectionId: 'c' };
    const loggedOut = await t.terminal.dispatch('checkout', 'cart', {}, call);
    expect(loggedOut.ok || loggedOut.error.code).toBe('NOT_LOGGED_IN');
    expect((await t.terminal.dispatch('staff', 'login', { code: 'S001-04', pin: '0404' }, call)).ok).toBe(true);
    const guide = await t.terminal.dispatch('cashup', 'open', { floatFen: 100 }, call);
    expect(guide.ok || guide.error.code).toBe('FORBIDDEN');
    const cart = await t.terminal.dispatch('checkout', 'cart', {}, call);
    expect(cart.ok).toBe(true);
  });
});
