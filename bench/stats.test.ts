import { describe, expect, it } from 'vitest';
import { percentile, slope } from './stats.js';

describe('bench statistics', () => {
  it('slope: least squares over every point, null without two distinct x', () => {
    expect(slope([])).toBeNull();
    expect(slope([{ x: 1, y: 5 }])).toBeNull();
    expect(
      slope([
        { x: 2, y: 5 },
        { x: 2, y: 9 },
      ]),
    ).toBeNull();
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 10, y: 21 },
      ]),
    ).toBe(2);
    // One outlier moves a least-squares slope less than it moves the end points' difference.
    const points = [0, 1, 2, 3, 4].map((x) => ({ x, y: 3 * x + 100 }));
    points[4]!.y -= 10;
    expect(slope(points)).toBeCloseTo(1, 10);
    expect(
      slope([
        { x: 0, y: 0 },
        { x: 1, y: -1 },
        { x: 2, y: -2 },
      ]),
    ).toBe(-1);
  });

  it('percentile by nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });
});
