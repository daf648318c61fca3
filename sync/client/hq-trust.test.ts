import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_HEADERS, publicKeyToBase64, signAnswer } from '../protocol/signing.js';
import type { HqSigningKey } from '../protocol/signing.js';
import { HQ_KEY_META, metaKeyPins, pinnedTrust } from './hq-trust.js';
import type { ReceivedAnswer } from './hq-trust.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';

const NONCE = 'abcdef0123456789abcdef0123456789';

function hqKey(): HqSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKeyToBase64(publicKey), chain: [] };
}

function answerSignedBy(key: HqSigningKey, body = '{"ok":true}'): ReceivedAnswer {
  const parts = { status: 200, method: 'POST', path: '/sync/v1/hello', nonce: NONCE, body };
  const headers: Record<string, string> = signAnswer(key, { ...parts, now: new Date() });
  return { ...parts, header: (name) => headers[name] ?? null };
}

const devices: TestDevice[] = [];
afterEach(() => devices.splice(0).forEach((d) => d.cleanup()));

describe("the device's trust in HQ, kept in meta", () => {
  it('checks answers against the pinned key, and keeps doing so after its store handle is closed', () => {
    const device = testDevice();
    devices.push(device);
    const hq = hqKey();
    device.store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(HQ_KEY_META, hq.publicKey);
    const trust = pinnedTrust(metaKeyPins(device.store.db));
    expect(trust.check(answerSignedBy(hq))).toBeNull();
    expect(trust.check(answerSignedBy(hqKey()))).toMatchObject({ code: 'bad_response' });
    const unsigned = answerSignedBy(hq);
    expect(
      trust.check({ ...unsigned, header: (name) => (name === ANSWER_HEADERS.signature ? null : unsigned.header(name)) }),
    ).toMatchObject({
      code: 'bad_response',
    });
    // A client that outlives its store handle (the till reopened its store) still knows HQ's key.
    device.store.close();
    expect(trust.check(answerSignedBy(hq))).toBeNull();
    expect(trust.check(answerSignedBy(hqKey()))).toMatchObject({ code: 'bad_response' });
  });
});
