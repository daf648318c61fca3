import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceOutbox } from '../../main/store/outbox.js';
import { tempDir } from '../../main/testing/temp-dir.js';
import { enrolmentText } from '../protocol/enrol.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { ANSWER_HEADERS, SIGN_HEADERS, keyFingerprint, publicKeyToBase64, signAnswer } from '../protocol/signing.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { selfSignedCert } from '../testing/self-signed-cert.js';
import type { TestCert } from '../testing/self-signed-cert.js';
import { startTamperProxy } from '../testing/tamper-proxy.js';
import type { TamperProxy } from '../testing/tamper-proxy.js';
import { enrolDevice, EnrolError } from './enrol.js';
import type { EnrolOptions } from './enrol.js';
import { HQ_KEY_META } from './hq-trust.js';
import { readIdentity, readMeta } from './identity.js';
import { testDevice as testDeviceStore, waitForState, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const newId = uuidv7Generator();
const devices: TestDevice[] = [];
afterEach(() => {
  for (const d of devices.splice(0)) d.cleanup();
});

function freshDevice(): TestDevice {
  const device = testDeviceStore();
  devices.push(device);
  return device;
}

async function enrolError(device: TestDevice, options: Partial<EnrolOptions> & Pick<EnrolOptions, 'hqUrl' | 'code'>): Promise<string> {
  try {
    await enrolDevice({
      db: device.store.db,
      outbox: deviceOutbox(device.store.db),
      appVersion: '0.1.0-test',
      hostname: 'till',
      ...options,
    });
  } catch (error) {
    return error instanceof EnrolError ? error.code : String(error);
  }
  return 'enrolled';
}

/** A key fingerprint that is not this HQ's. */
const otherFingerprint = () => keyFingerprint(publicKeyToBase64(generateKeyPairSync('ed25519').publicKey));

// Enrolment and TLS do not depend on HQ's database: PGlite only.
describe('enrolment is protected: a device enrols only with the HQ of its code', () => {
  let hq: TestHq;
  let proxy: TamperProxy;
  beforeAll(async () => {
    hq = await startTestHq(await openTestHqDb({ skus: 20, customers: 5 }));
    proxy = await startTamperProxy({ upstream: { host: '127.0.0.1', port: hq.port } });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await hq?.close();
    await hq?.db.close();
  });
  afterEach(() => proxy.setTampering({}));

  it('over plain HTTP, does not even send a code without HQ fingerprint', async () => {
    const device = freshDevice();
    const before = proxy.seen.length;
    expect(await enrolError(device, { hqUrl: proxy.url, code: await hq.enrolCode() })).toBe('hq_unverified');
    expect(proxy.seen.length).toBe(before);
    expect(readIdentity(device.store.db)).toBeNull();
  });

  it('refuses an HQ whose key is not the one of the fingerprint, in the code or given apart', async () => {
    const device = freshDevice();
    expect(await enrolError(device, { hqUrl: proxy.url, code: enrolmentText(await hq.enrolCode(), otherFingerprint()) })).toBe(
      'hq_key_mismatch',
    );
    expect(await enrolError(device, { hqUrl: proxy.url, code: await hq.enrolCode(), hqFingerprint: otherFingerprint() })).toBe(
      'hq_key_mismatch',
    );
    expect(readIdentity(device.store.db)).toBeNull();
  });

  it('refuses a machine that answers in HQ place, whatever key it signs with', async () => {
    const impostor = generateKeyPairSync('ed25519');
    const impostorKey = { privateKey: impostor.privateKey, publicKey: publicKeyToBase64(impostor.publicKey), chain: [] };
    const device = freshDevice();
    proxy.setTampering({
      forge: (request) => {
        const body = JSON.stringify({
          deviceId: device.deviceId,
          storeId: TEST_STORE,
          storeCode: 'S001',
          brand: 'SFL',
          receiptCode: 'D9',
          scopes: [`brand:SFL`, `store:${TEST_STORE}`, `device:${device.deviceId}`],
        });
        const nonce = String(request.headers[SIGN_HEADERS.nonce]);
        const headers = signAnswer(impostorKey, { status: 200, method: 'POST', path: SYNC_PATHS.enrol, nonce, body, now: new Date() });
        return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(body) };
      },
    });
    // It signs correctly with its own key, and even presents HQ's key without HQ's signature.
    expect(await enrolError(device, { hqUrl: proxy.url, code: enrolmentText(await hq.enrolCode(), hq.hqFingerprint) })).toBe(
      'hq_key_mismatch',
    );
    proxy.setTampering({
      forge: (request) => {
        const answer = { status: 200, headers: {} as Record<string, string>, body: Buffer.from('{}') };
        const nonce = String(request.headers[SIGN_HEADERS.nonce]);
        const signed = signAnswer(impostorKey, {
          status: 200,
          method: 'POST',
          path: SYNC_PATHS.enrol,
          nonce,
          body: answer.body,
          now: new Date(),
        });
        answer.headers = { ...signed, [ANSWER_HEADERS.key]: hq.hqPublicKey, 'content-type': 'application/json' };
        return answer;
      },
    });
    expect(await enrolError(device, { hqUrl: proxy.url, code: enrolmentText(await hq.enrolCode(), hq.hqFingerprint) })).toBe(
      'bad_response',
    );
    expect(readIdentity(device.store.db)).toBeNull();
  });

  it('enrols with the right fingerprint through an honest proxy, and pins HQ key', async () => {
    const device = freshDevice();
    expect(await enrolError(device, { hqUrl: proxy.url, code: (await hq.enrolment()).toLowerCase() })).toBe('enrolled');
    expect(readMeta(device.store.db, HQ_KEY_META)).toBe(hq.hqPublicKey);
  });
});

describe('HQ over HTTPS with a self-signed certificate', () => {
  const dir = tempDir('shopfloor-tls-');
  let cert: TestCert;
  let hq: TestHq;
  const replicators: Replicator[] = [];
  beforeAll(async () => {
    cert = selfSignedCert(dir.path);
    hq = await startTestHq(await openTestHqDb({ skus: 30, customers: 5 }), { tls: { cert: cert.cert, key: cert.key } });
  }, 120_000);
  afterAll(async () => {
    for (const r of replicators.splice(0)) await r.close();
    await hq?.close();
    await hq?.db.close();
    dir.cleanup();
  });

  it('refuses the certificate without its CA, and enrols with it: no fingerprint needed', async () => {
    expect(hq.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const device = freshDevice();
    expect(await enrolError(device, { hqUrl: hq.url, code: await hq.enrolCode() })).toBe('network');
    expect(await enrolError(device, { hqUrl: hq.url, code: await hq.enrolCode(), hqCa: cert.cert })).toBe('enrolled');
    expect(readIdentity(device.store.db)).toMatchObject({ hqUrl: hq.url, hqPublicKey: hq.hqPublicKey, hqCa: cert.cert });
  });

  it('syncs over HTTPS, live channel included: a price changed at HQ arrives by its nudge', async () => {
    const device = freshDevice();
    await enrolDevice({
      db: device.store.db,
      outbox: deviceOutbox(device.store.db),
      hqUrl: hq.url,
      code: await hq.enrolCode(),
      hqCa: cert.cert,
      appVersion: '0.1.0-test',
      hostname: 'till-tls',
    });
    const [stranger] = await hq.db.query<{ id: string }>('SELECT id FROM staff WHERE store_id <> $1 LIMIT 1', [TEST_STORE]);
    device.store.db
      .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        newId(),
        'cash.paid_in',
        JSON.stringify({ id: newId(), sessionId: newId(), amountFen: 100, reason: 'tls', approvedBy: null }),
        stranger!.id,
        device.deviceId,
        TEST_STORE,
        new Date().toISOString(),
      );
    const r = testReplicator(device, hq.url, { storeId: TEST_STORE, live: true });
    replicators.push(r);
    r.start();
    // Pushed (HQ's answer, rejected, went to the dead-letter list) and provisioned.
    await waitForState(r, (s) => s.lastSyncAt !== null && s.deadLetters === 1 && s.pendingEvents === 0, 20_000, 'first round over https');
    await expect.poll(() => hq.hq.live.connections(), { timeout: 10_000 }).toBe(1);
    await r.syncNow();
    const [sku] = await hq.db.query<{ sku: string; price_fen: number }>('SELECT sku, price_fen FROM sku ORDER BY sku LIMIT 1');
    await hq.db.query('UPDATE sku SET price_fen = $2 WHERE sku = $1', [sku!.sku, sku!.price_fen + 500]);
    // The poll is 30 s ± 50 %: within 10 s only the live channel's nudge brings it.
    await expect
      .poll(() => (device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?').get(sku!.sku) as { price_fen: number }).price_fen, {
        timeout: 10_000,
      })
      .toBe(sku!.price_fen + 500);
    expect(r.state()).toMatchObject({ hq: 'online', lastError: null });
  });
});
