import { describe, expect, it } from 'vitest';
import { formatStoreTime } from './store-time.js';

describe('formatStoreTime', () => {
  it('shows the store’s local time, not UTC, across midnight', () => {
    expect(formatStoreTime('2026-11-22T23:09:00.000Z', 'Asia/Shanghai')).toBe('07:09');
    expect(formatStoreTime('2026-11-22T23:09:00.000Z', 'Asia/Shanghai', true)).toBe('11-23 07:09');
    expect(formatStoreTime('2026-11-22T15:59:00.000Z', 'Asia/Shanghai', true)).toBe('11-22 23:59');
  });

  it('falls back to the instant for an unknown zone or a bad value', () => {
    expect(formatStoreTime('2026-11-22T23:09:00.000Z', 'Mars/Olympus')).toBe('2026-11-22T23:09:00.000Z');
    expect(formatStoreTime('not a time', 'Asia/Shanghai')).toBe('not a time');
  });
});
