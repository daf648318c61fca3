import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { enrolmentText, parseEnrolment } from './enrol.js';
import { openLiveFrame, signLiveFrame } from './live.js';
import {
  ANSWER_HEADERS,
  endorseKey,
  keyDescendsFrom,
  keyFingerprint,
  normalizeFingerprint,
  parseKeyChain,
  formatKeyChain,
  publicKeyFromBase64,
  publicKeyToBase64,
  signAnswer,
  verifyAnswer,
} from './signing.js';
import type { HqSigningKey } from './signing.js';

function hqKey(): HqSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKeyToBase64(publicKey), chain: [] };
}

const NONCE = '0123456789abcdef0123456789abcdef';
const answer = { status: 200, method: 'POST', path: '/sync/v1/push', nonce: NONCE, body: '{"results":[]}' };

describe("HQ's answer signatures", () => {
  it('verify for exactly the answer signed: status, method, path, nonce and body bytes', () => {
    const key = hqKey();
    const headers = signAnswer(key, { ...answer, now: new Date(1_800_000_000_000) });
    expect(headers[ANSWER_HEADERS.key]).toBe(key.publicKey);
    const signed = { time: headers[ANSWER_HEADERS.time]!, signature: headers[ANSWER_HEADERS.signature]! };
    const pub = publicKeyFromBase64(key.publicKey);
    expect(verifyAnswer(pub, { ...answer, ...signed })).toBe(true);
    expect(verifyAnswer(pub, { ...answer, ...signed, body: Buffer.from(answer.body) })).toBe(true);
    for (const changed of [
      { status: 403 },
      { method: 'GET' },
      { path: '/sync/v1/pull' },
      { nonce: NONCE.replace('0', '1') },
      { body: '{"results":[] }' },
      { time: String(Number(signed.time) + 1) },
      { time: 'soon' },
    ])
      expect(verifyAnswer(pub, { ...answer, ...signed, ...changed }), JSON.stringify(changed)).toBe(false);
    expect(verifyAnswer(publicKeyFromBase64(hqKey().publicKey), { ...answer, ...signed })).toBe(false);
  });

  it('follow a rotation only through keys each endorsed by the one before', () => {
    const [k1, k2, k3] = [hqKey(), hqKey(), hqKey()];
    const chain = [
      { publicKey: k2.publicKey, endorsement: endorseKey(k1.privateKey, k2.publicKey) },
      { publicKey: k3.publicKey, endorsement: endorseKey(k2.privateKey, k3.publicKey) },
    ];
    const wire = parseKeyChain(formatKeyChain(chain));
    expect(wire).toEqual(chain);
    expect(keyDescendsFrom(k1.publicKey, k3.publicKey, wire)).toBe(true);
    expect(keyDescendsFrom(k2.publicKey, k3.publicKey, wire)).toBe(true);
    expect(keyDescendsFrom(k1.publicKey, k2.publicKey, wire.slice(0, 1))).toBe(true);
    // A key nobody endorsed, or a chain signed by a stranger, leads nowhere.
    const stranger = hqKey();
    expect(keyDescendsFrom(k1.publicKey, stranger.publicKey, wire)).toBe(false);
    const forged = [{ publicKey: stranger.publicKey, endorsement: endorseKey(stranger.privateKey, stranger.publicKey) }];
    expect(keyDescendsFrom(k1.publicKey, stranger.publicKey, forged)).toBe(false);
    expect(parseKeyChain('garbage,,x.y')).toEqual([]);
  });

  it('sign live messages: bound to the nonce they were signed over, refused when changed', () => {
    const key = hqKey();
    const pub = publicKeyFromBase64(key.publicKey);
    const frame = signLiveFrame(key, '{"type":"revoked"}', NONCE, new Date());
    expect(openLiveFrame(pub, frame)).toEqual({ message: { type: 'revoked' }, nonce: NONCE });
    const parsed = JSON.parse(frame) as Record<string, string>;
    expect(openLiveFrame(pub, JSON.stringify({ ...parsed, message: '{"type":"ready"}' }))).toBeNull();
    expect(openLiveFrame(pub, JSON.stringify({ ...parsed, nonce: NONCE.replace('0', '2') }))).toBeNull();
    expect(openLiveFrame(pub, '{"type":"revoked"}')).toBeNull();
    expect(openLiveFrame(publicKeyFromBase64(hqKey().publicKey), frame)).toBeNull();
  });
});

describe("HQ's key fingerprint and the enrolment text", () => {
  it('is 16 unambiguous characters in four groups, the same for the same key', () => {
    const key = hqKey().publicKey;
    const fingerprint = keyFingerprint(key);
    expect(fingerprint).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect(keyFingerprint(key)).toBe(fingerprint);
    expect(keyFingerprint(hqKey().publicKey)).not.toBe(fingerprint);
    expect(normalizeFingerprint(fingerprint.toLowerCase().replaceAll('-', ' '))).toBe(fingerprint);
    expect(normalizeFingerprint('ABCD-EFGH-IJKL-MNOP')).toBeNull();
  });

  it('parses CODE and CODE@FINGERPRINT, and refuses anything else', () => {
    const fingerprint = keyFingerprint(hqKey().publicKey);
    expect(parseEnrolment('ABCD-EFGH-JKLM')).toEqual({ code: 'ABCD-EFGH-JKLM', fingerprint: null });
    expect(parseEnrolment(` ${enrolmentText('abcd-efgh-jklm', fingerprint.toLowerCase())} `)).toEqual({
      code: 'ABCD-EFGH-JKLM',
      fingerprint,
    });
    for (const bad of ['ABCD-EFGH', 'ABCD-EFGH-JKLM@', 'ABCD-EFGH-JKLM@XYZ', `ABCD-EFGH-JKLM@${fingerprint}@${fingerprint}`])
      expect(parseEnrolment(bad), bad).toBeNull();
  });
});
