import { describe, expect, it } from 'vitest';
import { formatWhen, zoneLabel } from './format.js';

// Finance reads a row at the clock of the store it happened in, whatever the browser's own zone.

describe('a row’s time at its store', () => {
  const at = '2026-12-07T18:30:00.000Z';

  it('is the store’s wall clock, named by its offset from UTC', () => {
    expect(formatWhen(at, 'zh-CN', 'Asia/Shanghai')).toBe('2026-12-08 02:30');
    expect(zoneLabel(at, 'Asia/Shanghai')).toBe('GMT+8');
    expect(formatWhen(at, 'en', 'Asia/Kolkata')).toBe('2026-12-08 00:00');
    expect(zoneLabel(at, 'Asia/Kolkata')).toBe('GMT+5:30');
    // Summer time where the store keeps it: its offset that day.
    expect(formatWhen('2026-07-01T12:00:00.000Z', 'en', 'Europe/Berlin')).toBe('2026-07-01 14:00');
    expect(zoneLabel('2026-07-01T12:00:00.000Z', 'Europe/Berlin')).toBe('GMT+2');
  });

  it('falls back to UTC, and says so, for a zone this browser does not know', () => {
    expect(formatWhen(at, 'en', 'Mars/Olympus_Mons')).toBe('2026-12-07 18:30');
    expect(zoneLabel(at, 'Mars/Olympus_Mons')).toBe('UTC');
    expect(zoneLabel(at, 'UTC')).toBe('UTC');
  });
});
