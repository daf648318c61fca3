import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../main/testing/temp-dir.js';

const dir = tempDir('shopfloor-profile-window-');
afterAll(() => dir.cleanup());

/** A V8 CPU profile (µs on the monotonic clock) of one function busy from `start` for `samples` ms, one sample a ms. */
function profile(start: number, samples: number): object {
  const frame = (functionName: string) => ({ functionName, url: 'file:///bench/sync-device.ts', lineNumber: 0, columnNumber: 0 });
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2] },
      { id: 2, callFrame: frame('pushOutbox'), children: [] },
    ],
    startTime: start,
    endTime: start + samples * 1000,
    samples: Array.from({ length: samples }, () => 2),
    timeDeltas: Array.from({ length: samples }, () => 1000),
  };
}

const run = (...args: string[]) =>
  execFileSync(process.execPath, [join(import.meta.dirname, 'profile-window.mjs'), ...args], { encoding: 'utf8' });

describe('profile-window', () => {
  it('reads a profile over the window of its own bench run when the directory holds windows of earlier runs', () => {
    const file = join(dir.path, 'sync-device-2.cpuprofile');
    // The second bench run of the directory: its profile runs from t = 50 s, 100 ms of pushing.
    writeFileSync(file, JSON.stringify(profile(50_000_000, 100)));
    const windows = join(dir.path, 'windows.jsonl');
    writeFileSync(
      windows,
      [
        // The first run's push, long before this profile started (BENCH_SYNC_PROFILE appends).
        { phase: 'push', start: 1_000_000, ends: [1_040_000, 1_060_000] },
        { phase: 'push', start: 50_010_500, ends: [50_050_500, 50_060_500] },
      ]
        .map((w) => JSON.stringify(w))
        .join('\n') + '\n',
    );
    const out = run(file, windows, 'push', '0');
    expect(out).toMatch(/^busy ms 40 in a window of 40 ms$/m);
    expect(out).toMatch(/40\.0 pushOutbox/);
  });
});
