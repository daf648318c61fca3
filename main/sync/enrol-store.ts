import { join } from 'node:path';
import type { Log } from '../core/log.js';
import { deviceOutbox } from '../store/outbox.js';
import type { KeyStore } from '../store/key-store.js';
import { openStore, STORE_FILE, StoreOpenError } from '../store/open-store.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import { enrolDevice } from '../../sync/client/enrol.js';
import { enrolledHq } from './enrolment-state.js';

export type EnrolStoreOptions = {
  dataDir: string;
  keyStore: KeyStore;
  hqUrl: string;
  code: string;
  appVersion: string;
  hostname: string;
  newId: IdGenerator;
  log: Log;
};

/**
 * Enrols the device at HQ before the terminal opens, unless it already is (then the code is not
 * used: a start script may pass one every time). The device keeps the id it made at its first
 * start, so a fresh store gets one here. A store that will not open is left to the terminal,
 * which shows why. Enrolment failures (code expired, used, HQ unreachable) are thrown as they come.
 */
export async function enrolStoreIfNeeded(options: EnrolStoreOptions): Promise<'enrolled' | 'already_enrolled' | 'store_error'> {
  let store;
  try {
    store = openStore({ path: join(options.dataDir, STORE_FILE), keyStore: options.keyStore });
  } catch (error) {
    if (error instanceof StoreOpenError) return 'store_error';
    throw error;
  }
  try {
    if (enrolledHq(store.db)) return 'already_enrolled';
    store.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)").run(options.newId());
    options.log('enrolling this device at HQ', { hqUrl: options.hqUrl });
    await enrolDevice({
      db: store.db,
      outbox: deviceOutbox(store.db),
      hqUrl: options.hqUrl,
      code: options.code,
      appVersion: options.appVersion,
      hostname: options.hostname,
    });
    return 'enrolled';
  } finally {
    store.close();
  }
}
