import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { enrolProofText, enrolResponseSchema, parseEnrolment } from '../protocol/enrol.js';
import type { EnrolRequest, EnrolResponse } from '../protocol/enrol.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { normalizeFingerprint, publicKeyToBase64 } from '../protocol/signing.js';
import { fetchWithCa } from './ca-fetch.js';
import { HQ_FINGERPRINT_META, HQ_KEY_META, enrolmentTrust } from './hq-trust.js';
import { readIdentity, readMeta } from './identity.js';
import type { DeviceIdentity } from './identity.js';
import { HqRequestError, nonceHeader, postJson } from './signed-http.js';
import type { FetchLike, HqFailureCode } from './signed-http.js';
import { clearCursors } from './apply.js';
import type { OutboxPort } from './types.js';

export type EnrolErrorCode =
  | 'enrolment_invalid'
  | 'enrolment_expired'
  | 'enrolment_used'
  /** The device holds unsynced events of another store: enrolling elsewhere would strand them. */
  | 'pending_events'
  /** The device has no id yet (the terminal makes it at first start). */
  | 'no_device_id'
  | HqFailureCode;

export class EnrolError extends Error {
  constructor(
    readonly code: EnrolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EnrolError';
  }
}

export type EnrolOptions = {
  db: Database;
  /** Enrolment refuses to move a device whose waiting events belong to another store. */
  outbox: Pick<OutboxPort, 'pendingOutside'>;
  hqUrl: string;
  /** `CODE`, or `CODE@FINGERPRINT` with HQ's key fingerprint (sync/protocol/enrol.ts parseEnrolment). */
  code: string;
  /**
   * HQ's key fingerprint, when it does not come with the code. Over plain HTTP one of the two is
   * required: it is how the device knows the answer comes from HQ. Over HTTPS the certificate does.
   */
  hqFingerprint?: string | null;
  /** A CA (PEM) for HQ's TLS certificate, kept with the identity for every later request. */
  hqCa?: string | null;
  appVersion: string;
  hostname: string;
  clock?: () => Date;
  fetch?: FetchLike;
  timeoutMs?: number;
};

/**
 * Enrols this device with a one-time code: makes an Ed25519 key pair, proves it holds the key,
 * keeps its own device id (already on its outbox events) and stores what HQ answered — store,
 * brand, receipt code, scopes — and the private key in `meta`, all in one transaction.
 */
export async function enrolDevice(options: EnrolOptions): Promise<DeviceIdentity> {
  const { db } = options;
  const deviceId = readMeta(db, 'device_id');
  if (!deviceId) throw new EnrolError('no_device_id', 'This device has no id yet; open the terminal once first.');
  const enrolment = parseEnrolment(options.code);
  if (!enrolment && options.code.includes('@'))
    throw new EnrolError('enrolment_invalid', 'the enrolment must look like XXXX-XXXX-XXXX@XXXX-XXXX-XXXX-XXXX (code@HQ fingerprint)');
  const code = enrolment?.code ?? options.code.trim().toUpperCase();
  const given = options.hqFingerprint ? normalizeFingerprint(options.hqFingerprint) : null;
  if (options.hqFingerprint && !given) throw new EnrolError('hq_key_mismatch', `${options.hqFingerprint} is not an HQ key fingerprint`);
  if (given && enrolment?.fingerprint && given !== enrolment.fingerprint)
    throw new EnrolError('hq_key_mismatch', `the fingerprint given (${given}) is not the one with the code (${enrolment.fingerprint})`);
  const fingerprint = given ?? enrolment?.fingerprint ?? null;
  const hqUrl = options.hqUrl.replace(/\/+$/, '');
  const https = hqUrl.startsWith('https://');
  // The code is a secret: not sent to a server nobody vouched for.
  if (!fingerprint && !https)
    throw new EnrolError(
      'hq_unverified',
      `${hqUrl} is plain HTTP: give HQ's key fingerprint with the code (CODE@FINGERPRINT, or --hq-fingerprint), or enrol over https`,
    );
  // A retry after a lost answer must present the same key: HQ answers a spent code again only to
  // the same device with the same key. So the key is kept before it is sent, until enrolment is stored.
  const pendingPem = readMeta(db, 'enrol_pending_key');
  const privateKey = pendingPem ? createPrivateKey({ key: pendingPem, format: 'pem' }) : generateKeyPairSync('ed25519').privateKey;
  if (!pendingPem)
    db.prepare("INSERT INTO meta (key, value) VALUES ('enrol_pending_key', ?)").run(
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
  const publicKey = createPublicKey(privateKey);
  const publicKeyText = publicKeyToBase64(publicKey);
  const request: EnrolRequest = {
    code,
    deviceId,
    publicKey: publicKeyText,
    proof: sign(null, Buffer.from(enrolProofText(code, deviceId, publicKeyText)), privateKey).toString('base64'),
    appVersion: options.appVersion.slice(0, 64),
    hostname: options.hostname.slice(0, 128),
  };
  const trust = enrolmentTrust({ fingerprint, https });
  const fetch = options.fetch ?? (options.hqCa ? fetchWithCa(options.hqCa) : undefined);
  let answer: EnrolResponse;
  try {
    answer = await postJson(
      { url: hqUrl, timeoutMs: options.timeoutMs, fetch, trust },
      SYNC_PATHS.enrol,
      JSON.stringify(request),
      nonceHeader(),
      enrolResponseSchema,
    );
  } catch (error) {
    if (error instanceof HqRequestError) throw new EnrolError(error.code, error.message);
    throw error;
  }
  if (answer.deviceId !== deviceId)
    throw new EnrolError('bad_response', `HQ enrolled device ${answer.deviceId}, not this device (${deviceId})`);
  const hqKey = trust.accepted();
  if (!hqKey) throw new EnrolError('bad_response', "HQ's answer was accepted without its key");
  const now = (options.clock ?? (() => new Date()))().toISOString();
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  db.transaction(() => {
    const storeId = readMeta(db, 'store_id');
    const waiting = options.outbox.pendingOutside(answer.storeId);
    if (storeId !== answer.storeId && waiting > 0) {
      throw new EnrolError(
        'pending_events',
        `${waiting} events of store ${storeId ?? '?'} are not synced yet; this device cannot join store ${answer.storeId} until they are.`,
      );
    }
    // A device moved to another store starts its feeds from the beginning.
    if (storeId !== answer.storeId || readIdentity(db)?.brand !== answer.brand) clearCursors(db);
    const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    put.run('store_id', answer.storeId);
    put.run('hq_url', hqUrl);
    put.run('brand', answer.brand);
    put.run('store_code', answer.storeCode);
    put.run('receipt_code', answer.receiptCode);
    // Receipt numbers use meta.device_code (main/checkout/receipt-number.ts): HQ's code is unique in the store.
    put.run('device_code', answer.receiptCode);
    put.run('scopes', JSON.stringify(answer.scopes));
    put.run('enrolled_at', now);
    put.run('device_private_key', pem);
    // From now on every answer must be signed with this key (or one it endorses).
    put.run(HQ_KEY_META, hqKey);
    db.prepare('DELETE FROM meta WHERE key = ?').run(HQ_FINGERPRINT_META);
    if (options.hqCa) put.run('hq_ca', options.hqCa);
    else db.prepare("DELETE FROM meta WHERE key = 'hq_ca'").run();
    db.prepare("DELETE FROM meta WHERE key = 'enrol_pending_key'").run();
  }).immediate();
  const identity = readIdentity(db);
  if (!identity) throw new Error('enrolment was written but cannot be read back');
  return identity;
}
