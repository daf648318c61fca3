import { join } from 'node:path';
import type { Log } from '../core/log.js';
import { deviceOutbox } from '../store/outbox.js';
import type { KeyStore } from '../store/key-store.js';
import { openStore, STORE_FILE, StoreOpenError } from '../store/open-store.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import { normalizeFingerprint } from '../../sync/protocol/signing.js';
import { enrolDevice } from '../../sync/client/enrol.js';
import { HQ_FINGERPRINT_META, HQ_KEY_META } from '../../sync/client/hq-trust.js';
import { enrolledHq } from './enrolment-state.js';
import { beforeStoreMigrations } from './store-migrations.js';

export type EnrolStoreOptions = {
  dataDir: string;
  keyStore: KeyStore;
  hqUrl: string;
  /** The enrolment IT gave: `CODE` or `CODE@FINGERPRINT`. Without one, only HQ's trust settings below are updated. */
  code?: string;
  /** HQ's key fingerprint, when it does not come with the code (required over plain HTTP, one way or the other). */
  hqFingerprint?: string;
  /** A CA (PEM text) for HQ's TLS certificate, when the system does not trust it; kept for every later start. */
  hqCa?: string;
  appVersion: string;
  hostname: string;
  newId: IdGenerator;
  log: Log;
};

export type EnrolStoreOutcome = 'enrolled' | 'already_enrolled' | 'not_enrolled' | 'store_error';

/**
 * Enrols the device at HQ before the terminal opens, unless it already is (then the code is not
 * used: a start script may pass one every time). The device keeps the id it made at its first
 * start, so a fresh store gets one here. A store that will not open is left to the terminal,
 * which shows why. Enrolment failures (code expired, used, HQ unreachable, HQ's key not the one
 * of the fingerprint) are thrown as they come.
 *
 * An enrolled device takes a new CA (HQ's certificate changed) and, if it has no HQ key pinned
 * yet (enrolled before HQ signed its answers), the fingerprint its first HQ key must have.
 */
export async function enrolStoreIfNeeded(options: EnrolStoreOptions): Promise<EnrolStoreOutcome> {
  let store;
  try {
    store = openStore({ path: join(options.dataDir, STORE_FILE), keyStore: options.keyStore, beforeMigrations: beforeStoreMigrations });
  } catch (error) {
    if (error instanceof StoreOpenError) return 'store_error';
    throw error;
  }
  try {
    const db = store.db;
    if (enrolledHq(db)) {
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
      if (options.hqCa) put.run('hq_ca', options.hqCa);
      const fingerprint = options.hqFingerprint ? normalizeFingerprint(options.hqFingerprint) : null;
      const pinned = db.prepare('SELECT 1 FROM meta WHERE key = ?').get(HQ_KEY_META) !== undefined;
      if (fingerprint && !pinned) put.run(HQ_FINGERPRINT_META, fingerprint);
      return 'already_enrolled';
    }
    if (options.code === undefined) return 'not_enrolled';
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)").run(options.newId());
    options.log('enrolling this device at HQ', { hqUrl: options.hqUrl });
    await enrolDevice({
      db,
      outbox: deviceOutbox(db),
      hqUrl: options.hqUrl,
      code: options.code,
      hqFingerprint: options.hqFingerprint,
      hqCa: options.hqCa,
      appVersion: options.appVersion,
      hostname: options.hostname,
    });
    return 'enrolled';
  } finally {
    store.close();
  }
}
