import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../main/testing/temp-dir.js';
import { killAtMarker } from './kill-at-marker.js';

const child = fileURLToPath(new URL('../../main/testing/outbox-crash-child.ts', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe('killAtMarker', () => {
  it('gives up on a marker that never comes: kills the child and says what it waited for', async () => {
    const args = [join(dir.path, 'db'), join(dir.path, 'key'), 'pause'];
    await expect(killAtMarker(child, args, 'a marker nobody prints', 0, { timeoutMs: 3000 })).rejects.toThrow(
      /no "a marker nobody prints" within 3000 ms; stdout: started/,
    );
  });

  it('fails with the child’s last words when it ends before the marker', async () => {
    await expect(killAtMarker(child, ['only-one-argument'], 'started', 0, { timeoutMs: 30_000 })).rejects.toThrow(
      /ended \(code 2, signal null\) before "started".*usage: outbox-crash-child/s,
    );
  });
});
