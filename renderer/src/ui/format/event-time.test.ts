import { describe, expect, it } from 'vitest';
import { formatStoreTime } from './event-time.js';

describe('store time', () => {
  const now = new Date('2026-11-22T06:00:00Z');

  it('shows a UTC instant in the store timezone, with seconds for today', () => {
    expect(formatStoreTime('2026-11-22T02:03:04Z', 'Asia/Shanghai', 'en', now)).toBe('10:03:04');
  });

  it('adds the date for another day (store-local: 23:30 UTC is the next morning in Shanghai)', () => {
    const text = formatStoreTime('2026-11-20T23:30:00Z', 'Asia/Shanghai', 'en', now);
    expect(text).toContain('11/21');
    expect(text).toContain('07:30');
  });

  it('survives an unknown zone and a broken instant', () => {
    expect(formatStoreTime('2026-11-22T02:03:04Z', 'Mars/Base', 'en', now)).toMatch(/\d\d:\d\d/);
    expect(formatStoreTime('not a time', 'Asia/Shanghai', 'en', now)).toBe('not a time');
  });
});
