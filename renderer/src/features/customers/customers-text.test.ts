import { describe, expect, it } from 'vitest';
import { isOverdue } from './customers-text.js';

describe('when a task is overdue', () => {
  const shanghai = 'Asia/Shanghai';
  it('is not overdue on its due day, whatever the time of day; it is the day after, in the store’s time zone', () => {
    const due = '2026-12-05T00:42:00.000Z'; // 08:42 on the 5th in Shanghai, shown as 2026/12/05
    expect(isOverdue(due, new Date('2026-12-05T10:00:00.000Z'), shanghai)).toBe(false); // 18:00 on the 5th
    expect(isOverdue(due, new Date('2026-12-05T15:59:00.000Z'), shanghai)).toBe(false); // 23:59 on the 5th
    expect(isOverdue(due, new Date('2026-12-05T16:00:00.000Z'), shanghai)).toBe(true); // 00:00 on the 6th
    // The same instants in UTC fall on other days: the store's zone decides.
    expect(isOverdue('2026-12-04T20:00:00.000Z', new Date('2026-12-05T01:00:00.000Z'), shanghai)).toBe(false);
    expect(isOverdue('2026-12-04T20:00:00.000Z', new Date('2026-12-05T01:00:00.000Z'), 'UTC')).toBe(true);
  });

  it('is never overdue for a date it cannot read', () => {
    expect(isOverdue('not a date', new Date(), shanghai)).toBe(false);
  });
});
