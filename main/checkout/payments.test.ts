import { describe, expect, it } from 'vitest';
import { receiptNumberOf } from '../../native/scanner/classify.js';
import { classifyPaymentCode, sandboxPaymentProvider } from './payments.js';

describe('classifyPaymentCode', () => {
  it.each([
    ['134567890123456789', 'wechat'],
    ['104567890123456789', 'wechat'],
    ['154567890123456789', 'wechat'],
    ['164567890123456789', null], // 18 digits but prefix 16
    ['13456789012345678', null], // WeChat prefix, 17 digits
    ['2812345678901234', 'alipay'], // 16
    ['281234567890123456789012', 'alipay'], // 24
    ['2812345678901234567890123', null], // 25 digits
    ['251234567890123456', 'alipay'],
    ['301234567890123456', 'alipay'],
    ['311234567890123456', null],
    ['6212345678901234567', 'unionpay'], // UnionPay QR: 19 digits starting 62
    ['621234567890123456', null], // 62 but 18 digits
    ['62123456789012345678', null], // 62 but 20 digits
    ['6112345678901234567', null], // 19 digits starting 61
    ['6901234567892', null], // an EAN
    ['13456789012345678a', null],
  ])('%s → %s', (code, method) => {
    expect(classifyPaymentCode(code)).toBe(method);
  });
});

describe('receiptNumberOf', () => {
  it.each([
    ['S001-7F3A-261122-0042', 'S001-7F3A-261122-0042'],
    ['s001-7f3a-261122-0042\r', 'S001-7F3A-261122-0042'],
    ['S001-7F3A-261122-12345', 'S001-7F3A-261122-12345'],
    ['S001-7F3A-2611-0042', null],
    ['SF25W0001-001-S', null],
    ['6901234567892', null],
  ])('%j → %s', (raw, expected) => {
    expect(receiptNumberOf(raw)).toBe(expected);
  });
});

describe('sandbox provider', () => {
  it('declines codes ending in 0000 and never charges one request twice', async () => {
    const p = sandboxPaymentProvider();
    expect(await p.charge({ method: 'alipay', code: '281234567890120000', amountFen: 100, requestId: 'r1' })).toEqual({
      ok: false,
      reason: 'insufficient balance (sandbox)',
    });
    const first = await p.charge({ method: 'wechat', code: '134567890123456789', amountFen: 100, requestId: 'r2' });
    const again = await p.charge({ method: 'wechat', code: '134567890123456789', amountFen: 100, requestId: 'r2' });
    expect(first.ok).toBe(true);
    expect(again).toEqual(first);
  });
});
