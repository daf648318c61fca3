import type { HqDb } from './db.js';

/**
 * Every device id HQ has enrolled, in memory: a signed request from an id that is not here is
 * refused without a query, so a flood of made-up device ids costs HQ no database work (a cache of
 * the ids found missing would not help: a flood uses a new id every time). 50,000 devices take a
 * few MB. Kept current by `add()` — this process enrolled one, or another process's enrolment
 * arrived as an sf_device NOTIFY — and, should a notification be lost, by a reload when an id is
 * missing and the set is older than `refreshMs`: at most one query per window, however many
 * unknown ids arrive.
 */
export type KnownDevices = {
  has(deviceId: string): Promise<boolean>;
  add(deviceId: string): void;
};

export const KNOWN_DEVICES_REFRESH_MS = 10_000;

export function knownDevices(db: HqDb, options: { refreshMs?: number; now?: () => number } = {}): KnownDevices {
  const refreshMs = options.refreshMs ?? KNOWN_DEVICES_REFRESH_MS;
  const now = options.now ?? (() => performance.now());
  let ids: Set<string> | null = null;
  let loadedAt = -Infinity;
  let loading: Promise<void> | null = null;
  // Ids added while a reload runs: the reload's snapshot may predate their commit.
  let addedDuringLoad: Set<string> | null = null;

  const reload = (): Promise<void> =>
    (loading ??= (async () => {
      const startedAt = now();
      addedDuringLoad = new Set();
      try {
        const rows = await db.query<{ id: string }>('SELECT id::text AS id FROM device', [], { name: 'known_devices' });
        const next = new Set(rows.map((r) => r.id));
        for (const id of addedDuringLoad) next.add(id);
        ids = next;
        loadedAt = startedAt;
      } finally {
        addedDuringLoad = null;
        loading = null;
      }
    })());

  return {
    async has(deviceId) {
      if (ids === null) await reload();
      if (ids?.has(deviceId)) return true;
      if (now() - loadedAt >= refreshMs) await reload();
      return ids?.has(deviceId) ?? false;
    },
    add(deviceId) {
      ids?.add(deviceId);
      addedDuringLoad?.add(deviceId);
    },
  };
}
