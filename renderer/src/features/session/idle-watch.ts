/**
 * The till locks itself after a while without a touch or a key, so a cashier who walks away does
 * not leave the drawer open to the next person. Locking keeps the cart: the PIN brings it back.
 */
export type IdleTimers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

/** What counts as "someone is at the till". Scans arrive as keys, so a scanning cashier stays in. */
export const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel'] as const;

/**
 * Calls `onIdle` once after `idleMs` without activity on `target`; activity restarts the wait.
 * Returns a stop function. `idleMs <= 0` disables the lock (a setting may turn it off).
 */
export function watchIdle(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  idleMs: number,
  onIdle: () => void,
  timers: IdleTimers = { setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms), clearTimeout: (h) => globalThis.clearTimeout(h as number) },
): () => void {
  if (idleMs <= 0) return () => {};
  let handle: unknown = timers.setTimeout(fire, idleMs);
  let fired = false;
  function fire() {
    fired = true;
    onIdle();
  }
  const activity = () => {
    if (fired) return; // locked already: only the PIN unlocks, a stray touch does not restart anything
    timers.clearTimeout(handle);
    handle = timers.setTimeout(fire, idleMs);
  };
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, activity, { capture: true, passive: true });
  return () => {
    timers.clearTimeout(handle);
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, activity, { capture: true });
  };
}
