import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/translate.js';
import { fakeDevicesApi } from '../devices/devices-test-api.js';
import { createSessionStore } from '../session/session-store.js';
import { tillMessageText, tillMessageTone } from './till-message-text.js';
import { createTillStore } from './till-store.js';
import type { TillDrawer } from './till-types.js';

const open = {
  state: 'open',
  sessionId: 'ts-1',
  businessDay: '2026-12-08',
  openedAt: '2026-12-08T01:00:00.000Z',
  openedBy: 'stf-S001-02',
  floatFen: 50_000,
} as const;

function tillWith(drawer: TillDrawer) {
  const { api } = fakeDevicesApi({ 'cashup.paidIn': { ok: true, value: { ...open, drawer } } });
  return createTillStore(api, createSessionStore(api));
}

describe('the cash-up screen says what the drawer did', () => {
  it('a drawer that opened: the movement is recorded, as before', async () => {
    const till = tillWith({ opened: true });
    expect(await till.getState().paidIn(1_000, '零钱补充')).toBe(true);
    const message = till.getState().message!;
    expect(message).toEqual({ kind: 'done', what: 'paid_in' });
    expect(tillMessageTone(message)).toBe('info');
    expect(till.getState().till).toEqual(open);
  });

  it('a drawer that may have opened: recorded, and a warning that stays until dismissed, in both languages', async () => {
    const till = tillWith({ opened: false, uncertain: true, error: 'it may have acted' });
    expect(await till.getState().paidIn(1_000, '零钱补充')).toBe(true);
    const message = till.getState().message!;
    expect(tillMessageTone(message)).toBe('error');
    expect(tillMessageText(createTranslate('zh-CN'), message)).toBe('已记录存入现金。 钱箱未及时确认，可能已经打开，请立即查看钱箱。');
    expect(tillMessageText(createTranslate('en'), message)).toContain('may have opened');
    // The till's state is the till's, not the drawer's.
    expect(till.getState().till).toEqual(open);
  });

  it('a drawer that did not open: recorded, and use the key', async () => {
    const till = tillWith({ opened: false, error: 'drawer offline' });
    expect(await till.getState().paidIn(1_000, '零钱补充')).toBe(true);
    const message = till.getState().message!;
    expect(tillMessageTone(message)).toBe('error');
    expect(tillMessageText(createTranslate('en'), message)).toBe(
      'Paid-in recorded. The drawer did not open: use the key, or ask the manager.',
    );
  });
});
