import { killAtMarker } from '../../sync/faults/kill-at-marker.js';

/**
 * Runs a TypeScript child (`node --import tsx script ...args`), waits for `marker` on its stdout,
 * then SIGKILLs it `afterMs` later — a crash at a chosen or random instant. The device's crash
 * tests' name for sync/faults' killAtMarker (one implementation): resolves with the signal that
 * ended the child, rejects with its last words when it ends before the marker or the marker has
 * not come within `timeoutMs` (the child is killed then: a test never waits forever).
 */
export function killAfter(
  script: string,
  args: string[],
  marker: string,
  afterMs: number,
  timeoutMs = 30_000,
): Promise<NodeJS.Signals | null> {
  return killAtMarker(script, args, marker, afterMs, { timeoutMs });
}
