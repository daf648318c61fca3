import { describe, expect, it } from 'vitest';
import { createTranslate } from '../../i18n/translate.js';
import { pinErrorText } from './pin-error-text.js';

const zh = createTranslate('zh-CN');
const en = createTranslate('en');

describe('pinErrorText', () => {
  it('says how many attempts are left, in the UI language', () => {
    const error = { code: 'WRONG_PIN' as const, message: 'Wrong staff code or PIN (3 attempt(s) left)' };
    expect(pinErrorText(zh, error)).toBe('工号或 PIN 不正确，还可尝试 3 次。');
    expect(pinErrorText(en, error)).toBe('Wrong staff code or PIN. 3 attempts left.');
  });

  it('says how long the lockout lasts, in either of main’s phrasings', () => {
    expect(pinErrorText(en, { code: 'STAFF_LOCKED', message: 'Too many wrong PINs: S001-02 is locked for 15 minutes' })).toContain(
      '15 minutes',
    );
    expect(pinErrorText(zh, { code: 'STAFF_LOCKED', message: 'Too many wrong PINs: S001-02 is locked for 12 more minute(s)' })).toContain(
      '12 分钟',
    );
  });

  it('falls back to the plain sentence when main gives no numbers', () => {
    expect(pinErrorText(zh, { code: 'WRONG_PIN', message: 'Wrong staff code or PIN' })).toBe('工号或 PIN 不正确。');
    expect(pinErrorText(en, { code: 'FORBIDDEN', message: 'not a manager' })).toBe(
      'This staff code is not a manager’s; it cannot approve.',
    );
  });
});
