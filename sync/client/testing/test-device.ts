import { join } from 'node:path';
import { fileKeyStore } from '../../../main/store/key-store.js';
import { openStore } from '../../../main/store/open-store.js';
import type { Store } from '../../../main/store/open-store.js';
import { uuidv7Generator } from '../../protocol/uuidv7.js';
import { tempDir } from '../../../main/testing/temp-dir.js';
import type { SyncState } from '../../../main/api/contract.js';
import type { Replicator } from '../types.js';
import { deviceOutbox } from '../../../main/store/outbox.js';
import { enrolDevice } from '../enrol.js';
import { createReplicator } from '../replicator.js';
import type { CreateReplicatorOptions } from '../replicator.js';

export type TestDevice = { store: Store; dir: string; deviceId: string; reopen(): Store; cleanup(): void };

/** A fresh encrypted device store on disk (all device migrations), with its own device id in meta. */
export function testDevice(): TestDevice {
  const dir = tempDir('shopfloor-sync-');
  const open = () => openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: fileKeyStore(join(dir.path, 'store.key')) });
  const store = open();
  const deviceId = uuidv7Generator(() => Date.now())();
  store.db.prepare("INSERT INTO meta (key, value) VALUES ('device_id', ?)").run(deviceId);
  const device: TestDevice = {
    store,
    dir: dir.path,
    deviceId,
    reopen() {
      device.store.close();
      device.store = open();
      return device.store;
    },
    cleanup() {
      try {
        device.store.close();
      } catch {
        // already closed
      }
      dir.cleanup();
    },
  };
  return device;
}

/** Resolves with the first sync state (now or later) that satisfies `ok`; fails after `ms` with the last state seen. */
export function waitForState(r: Replicator, ok: (s: SyncState) => boolean, ms = 20_000, what = 'sync state'): Promise<SyncState> {
  return new Promise((resolve, reject) => {
    if (ok(r.state())) return resolve(r.state());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within ${ms} ms; last state ${JSON.stringify(r.state())}`));
    }, ms);
    const off = r.onState((s) => {
      if (!ok(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

/** A test HQ as enrolment needs it: its URL and a fresh code of a store, with HQ's key fingerprint. */
export type EnrollingHq = { url: string; enrolment(storeId?: string): Promise<string> };

/** Enrols `device` at `hq` (default: HQ's test store), as a till named `hostname` whose clock is `clock`. */
export async function enrolAt(
  device: TestDevice,
  hq: EnrollingHq,
  options: { storeId?: string; hostname?: string; clock?: () => Date } = {},
): Promise<void> {
  await enrolDevice({
    db: device.store.db,
    outbox: deviceOutbox(device.store.db),
    hqUrl: hq.url,
    code: await hq.enrolment(options.storeId),
    appVersion: '0.1.0-test',
    hostname: options.hostname ?? 'till',
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/**
 * A replicator for `device` (enrolled in `extra.storeId`) against `hqUrl`, not started: the
 * device's own clock, no log, no live channel unless `extra` says otherwise.
 */
export function testReplicator(
  device: TestDevice,
  hqUrl: string,
  extra: Partial<CreateReplicatorOptions> & Pick<CreateReplicatorOptions, 'storeId'>,
): Replicator {
  return createReplicator({
    db: device.store.db,
    outbox: deviceOutbox(device.store.db),
    deviceId: device.deviceId,
    hqUrl,
    clock: () => new Date(),
    log: () => undefined,
    live: false,
    ...extra,
  });
}
