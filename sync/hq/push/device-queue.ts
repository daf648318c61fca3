/**
 * One pusher per device in this HQ process: pushes of the same device run one after another
 * (two app instances, or a retry racing a slow answer). Across HQ processes the push
 * transaction's advisory lock does the same. The map holds only devices with a push in flight.
 */
export function createDeviceQueue(): <T>(deviceId: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(deviceId: string, task: () => Promise<T>): Promise<T> => {
    const before = tails.get(deviceId) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(deviceId, tail);
    try {
      return await run;
    } finally {
      if (tails.get(deviceId) === tail) tails.delete(deviceId);
    }
  };
}
