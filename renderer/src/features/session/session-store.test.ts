// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCartStore } from '../checkout/cart-store.js';
import { createSessionStore, lockWhenIdle } from './session-store.js';
import type { Api } from '../../api/api-client.js';
import type { Result } from '../../api/contract.js';
import type { CartState } from '../checkout/checkout-types.js';
import type { SessionState } from './session-types.js';

type Handler = (input: Record<string, unknown>) => Result<unknown>;

/** A fake main: a handler per `domain.method`, every call recorded with its input. */
function fakeApi(handlers: Record<string, Handler>) {
  const calls: { key: string; input: Record<string, unknown> }[] = [];
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  const api: Api = {
    call: (async (domain: string, method: string, input: Record<string, unknown>) => {
      const key = `${domain}.${method}`;
      calls.push({ key, input });
      const handler = handlers[key];
      return handler ? handler(input) : { ok: false, error: { code: 'INTERNAL', message: `unexpected ${key}` } };
    }) as Api['call'],
    on: ((name: string, listener: (payload: unknown) => void) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => {};
    }) as Api['on'],
    isOpen: () => false,
    onOpen: () => () => {},
    onClose: () => () => {},
  };
  const emit = (name: string, payload: unknown) => listeners.get(name)?.forEach((l) => l(payload));
  return { api, calls, emit };
}

const staff = { id: 'stf-S001-02', code: 'S001-02', name: '王芳', role: 'cashier' as const };
const permissions = {
  sell: true,
  tender: true,
  returns: true,
  cash: true,
  manage: false,
  bind: false,
  maxDiscountPercent: 10,
  approves: [],
};
const active: SessionState = {
  state: 'active',
  staff,
  permissions,
  loggedInAt: '2026-11-22T01:00:00Z',
  lastActivityAt: '2026-11-22T01:00:00Z',
};
const locked: SessionState = { ...active, state: 'locked' };
const fail = (code: string, message = code) => ({ ok: false as const, error: { code, message } }) as Result<never>;

function cartWith(discountPercent: number | null): CartState {
  return {
    id: 'cart-1',
    lines: [],
    promotions: [],
    member: null,
    coupons: [],
    points: null,
    return: null,
    tenders: [],
    refunds: [],
    totals: {
      itemCount: 0,
      subtotalFen: 0,
      manualDiscountFen: 0,
      promotionDiscountFen: 0,
      couponDiscountFen: 0,
      pointsFen: 0,
      discountFen: discountPercent ?? 0,
      totalFen: 0,
      refundFen: 0,
      netFen: 0,
      paidFen: 0,
      dueFen: 0,
      changeFen: 0,
    },
    canComplete: false,
    updatedAt: '',
  } as CartState;
}

describe('session store', () => {
  it('logs in, keeps the error of a wrong PIN, and follows main’s session events', async () => {
    const { api, emit } = fakeApi({
      'staff.login': (input) => (input.pin === '0202' ? { ok: true, value: active } : fail('WRONG_PIN', 'Wrong PIN: 4 attempts left')),
    });
    const session = createSessionStore(api);
    expect(await session.getState().login('S001-02', '1111')).toBe(false);
    expect(session.getState().error?.code).toBe('WRONG_PIN');
    expect(session.getState().session).toBeUndefined();
    expect(await session.getState().login('S001-02', '0202')).toBe(true);
    expect(session.getState().error).toBeUndefined();
    expect(session.getState().session).toEqual(active);
    emit('staff.session', locked);
    expect(session.getState().session?.state).toBe('locked');
  });

  it('gets a manager approval token, or nothing when the cashier cancels', async () => {
    const { api, calls } = fakeApi({
      'staff.approve': (input) =>
        input.pin === '0101'
          ? { ok: true, value: { token: 'tok-1', action: input.action, manager: staff, expiresAt: '' } }
          : fail('WRONG_PIN'),
    });
    const session = createSessionStore(api);
    const first = session.getState().requestApproval('discount');
    expect(session.getState().approval?.action).toBe('discount');
    await session.getState().approve('S001-01', '9999');
    expect(session.getState().approval?.error?.code).toBe('WRONG_PIN');
    await session.getState().approve('S001-01', '0101');
    await expect(first).resolves.toBe('tok-1');
    expect(session.getState().approval).toBeUndefined();
    expect(calls.at(-1)?.input).toEqual({ managerCode: 'S001-01', pin: '0101', action: 'discount' });

    const second = session.getState().requestApproval('no_sale');
    session.getState().cancelApproval();
    await expect(second).resolves.toBeUndefined();
  });
});

describe('cart store approvals', () => {
  it('retries a discount above the limit with the manager’s token, once', async () => {
    const { api, calls } = fakeApi({
      'checkout.lineDiscount': (input) => (input.approvalToken === 'tok-9' ? { ok: true, value: cartWith(20) } : fail('APPROVAL_REQUIRED')),
      'staff.approve': () => ({ ok: true, value: { token: 'tok-9', action: 'discount', manager: staff, expiresAt: '' } }),
    });
    const session = createSessionStore(api);
    const cart = createCartStore(api, session);
    const pending = cart.getState().lineDiscount('line-1', { kind: 'percent', percent: 20 });
    await vi.waitFor(() => expect(session.getState().approval?.action).toBe('discount'));
    await session.getState().approve('S001-01', '0101');
    expect(await pending).toBe(true);
    expect(cart.getState().cart?.totals.discountFen).toBe(20);
    expect(calls.filter((c) => c.key === 'checkout.lineDiscount').map((c) => c.input.approvalToken)).toEqual([undefined, 'tok-9']);
  });

  it('changes nothing and says so when the approval is cancelled', async () => {
    const { api, calls } = fakeApi({ 'checkout.lineDiscount': () => fail('APPROVAL_REQUIRED') });
    const session = createSessionStore(api);
    const cart = createCartStore(api, session);
    const pending = cart.getState().lineDiscount('line-1', { kind: 'percent', percent: 50 });
    await vi.waitFor(() => expect(session.getState().approval).toBeDefined());
    session.getState().cancelApproval();
    expect(await pending).toBe(false);
    expect(cart.getState().message).toEqual({ kind: 'approval-cancelled' });
    expect(calls.filter((c) => c.key === 'checkout.lineDiscount')).toHaveLength(1);
  });

  it('shows an unknown barcode as an error naming the code, and keeps the cart', async () => {
    const { api } = fakeApi({
      'checkout.scan': () => fail('NOT_FOUND', 'no such barcode'),
      'checkout.cart': () => ({ ok: true, value: cartWith(null) }),
    });
    const cart = createCartStore(api, createSessionStore(api));
    await cart.getState().load();
    await cart.getState().handleScan({ id: 's1', source: 'wedge', raw: '6909999999994', kind: 'product', code: '6909999999994', at: '' });
    expect(cart.getState().message).toEqual({
      kind: 'error',
      error: { code: 'NOT_FOUND', message: 'no such barcode' },
      query: '6909999999994',
    });
    expect(cart.getState().cart?.id).toBe('cart-1');
  });
});

describe('lockWhenIdle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('locks an active session after the idle time, and only while someone is logged in', async () => {
    const { api, calls, emit } = fakeApi({ 'staff.lock': () => ({ ok: true, value: locked }) });
    const session = createSessionStore(api);
    const target = new EventTarget();
    lockWhenIdle(target, session, 60_000);
    vi.advanceTimersByTime(120_000);
    expect(calls.some((c) => c.key === 'staff.lock')).toBe(false); // nobody logged in
    emit('staff.session', active);
    vi.advanceTimersByTime(59_000);
    target.dispatchEvent(new Event('keydown'));
    vi.advanceTimersByTime(59_000);
    expect(calls.some((c) => c.key === 'staff.lock')).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(calls.filter((c) => c.key === 'staff.lock')).toHaveLength(1);
    await vi.waitFor(() => expect(session.getState().session?.state).toBe('locked'));
  });
});
