import { join } from 'node:path';
import { fileKeyStore } from '../../main/store/key-store.js';
import { openStore } from '../../main/store/open-store.js';
import type { Store } from '../../main/store/open-store.js';
import { uuidv7Generator } from '../../main/store/uuidv7.js';
import { tempDir } from '../../main/testing/temp-dir.js';

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
