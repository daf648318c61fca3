import { createHash, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Every device request after enrolment is signed with the device's Ed25519 key over method,
 * path (with query), a hash of the body, a timestamp and a one-time nonce. HQ refuses a wrong
 * signature, a timestamp outside ±SKEW, and a nonce it has seen (a replay).
 */
export const SIGN_HEADERS = {
  device: 'x-sf-device',
  time: 'x-sf-time',
  nonce: 'x-sf-nonce',
  signature: 'x-sf-signature',
} as const;

/** How far a request's timestamp may be from HQ's clock (and how long HQ remembers nonces). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
export const NONCE_PATTERN = /^[0-9a-f]{32}$/;

export function bodyHash(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function canonicalRequest(parts: { method: string; path: string; bodyHash: string; time: string; nonce: string }): string {
  return ['SF1', parts.method.toUpperCase(), parts.path, parts.bodyHash, parts.time, parts.nonce].join('\n');
}

/** The headers of a signed request. `privateKey` is the device's Ed25519 key (node:crypto KeyObject). */
export function signRequest(
  privateKey: KeyObject,
  request: { deviceId: string; method: string; path: string; body: Uint8Array | string; now: Date; nonce?: string },
): Record<string, string> {
  const time = String(request.now.getTime());
  const nonce = request.nonce ?? randomBytes(16).toString('hex');
  const text = canonicalRequest({ method: request.method, path: request.path, bodyHash: bodyHash(request.body), time, nonce });
  return {
    [SIGN_HEADERS.device]: request.deviceId,
    [SIGN_HEADERS.time]: time,
    [SIGN_HEADERS.nonce]: nonce,
    [SIGN_HEADERS.signature]: sign(null, Buffer.from(text), privateKey).toString('base64'),
  };
}

/** Raw 32-byte Ed25519 public key as base64 (the form enrolment sends), and back. */
export function publicKeyToBase64(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

export function publicKeyFromBase64(text: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(text, 'base64').toString('base64url') }, format: 'jwk' });
}

export function verifySignature(publicKey: KeyObject, text: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(text), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * HQ signs every answer to a device with its own Ed25519 key, so a device acts only on what HQ
 * said: anyone on the store network could otherwise answer a push with `accepted` (the device
 * would delete those sales) or serve a pull page with other prices. The signature covers the
 * answer's status, the request's method and path, the request's nonce (which binds the answer to
 * that one request: an old answer replayed does not match a new nonce), HQ's time and a hash of
 * the exact body bytes. The device pins HQ's public key at enrolment.
 */
export const ANSWER_HEADERS = {
  time: 'x-sf-hq-time',
  signature: 'x-sf-hq-signature',
  /** HQ's current public key (raw, base64): tells a device that HQ rotated its key. */
  key: 'x-sf-hq-key',
  /** After a rotation: `key.endorsement,…`, each key signed by the one before (see endorsementText). */
  chain: 'x-sf-hq-key-chain',
} as const;

export function canonicalAnswer(parts: {
  status: number;
  method: string;
  path: string;
  nonce: string;
  time: string;
  bodyHash: string;
}): string {
  return ['SF1-ANSWER', String(parts.status), parts.method.toUpperCase(), parts.path, parts.nonce, parts.time, parts.bodyHash].join('\n');
}

export type AnswerParts = { status: number; method: string; path: string; nonce: string; body: Uint8Array | string };

/** HQ's signing key as HQ uses it: the private key, its public half as sent, and the rotation chain. */
export type HqSigningKey = { privateKey: KeyObject; publicKey: string; chain: readonly KeyLink[] };
/** One rotation: `publicKey` endorsed by the key HQ had before it. */
export type KeyLink = { publicKey: string; endorsement: string };

/** The headers HQ adds to an answer (ANSWER_HEADERS). */
export function signAnswer(key: HqSigningKey, answer: AnswerParts & { now: Date }): Record<string, string> {
  const time = String(answer.now.getTime());
  const text = canonicalAnswer({ ...answer, time, bodyHash: bodyHash(answer.body) });
  const headers: Record<string, string> = {
    [ANSWER_HEADERS.time]: time,
    [ANSWER_HEADERS.signature]: sign(null, Buffer.from(text), key.privateKey).toString('base64'),
    [ANSWER_HEADERS.key]: key.publicKey,
  };
  if (key.chain.length > 0) headers[ANSWER_HEADERS.chain] = formatKeyChain(key.chain);
  return headers;
}

/** True when `signature` is HQ's (`publicKey`) over this answer at `time`. */
export function verifyAnswer(publicKey: KeyObject, answer: AnswerParts & { time: string; signature: string }): boolean {
  if (!/^\d{1,15}$/.test(answer.time)) return false;
  return verifySignature(publicKey, canonicalAnswer({ ...answer, bodyHash: bodyHash(answer.body) }), answer.signature);
}

/** What the previous HQ key signs when HQ rotates to `publicKey`. */
export function endorsementText(publicKey: string): string {
  return `SF1-HQ-KEY\n${publicKey}`;
}

export function endorseKey(previous: KeyObject, publicKey: string): string {
  return sign(null, Buffer.from(endorsementText(publicKey)), previous).toString('base64');
}

/** A rotation chain on the wire; only the newest links are sent (a device offline for longer re-enrols). */
export const MAX_KEY_CHAIN = 8;
const KEY_TEXT = /^[A-Za-z0-9+/]{43}=$/;
const SIGNATURE_TEXT = /^[A-Za-z0-9+/]{86}==$/;

export function formatKeyChain(chain: readonly KeyLink[]): string {
  return chain
    .slice(-MAX_KEY_CHAIN)
    .map((l) => `${l.publicKey}.${l.endorsement}`)
    .join(',');
}

export function parseKeyChain(text: string | null | undefined): KeyLink[] {
  if (!text) return [];
  const links: KeyLink[] = [];
  for (const part of text.split(',').slice(0, MAX_KEY_CHAIN)) {
    const [publicKey, endorsement] = part.trim().split('.');
    if (publicKey && endorsement && KEY_TEXT.test(publicKey) && SIGNATURE_TEXT.test(endorsement)) links.push({ publicKey, endorsement });
  }
  return links;
}

/**
 * Whether `presented` descends from the key the device pinned: each link of the chain that the
 * current key endorsed moves the trust on to it. Links older than the pin (or not endorsed) are
 * skipped, so the chain HQ sends can start before the device's pin.
 */
export function keyDescendsFrom(pinned: string, presented: string, chain: readonly KeyLink[]): boolean {
  let current = pinned;
  for (const link of chain) {
    if (link.publicKey === current) continue;
    let key: KeyObject;
    try {
      key = publicKeyFromBase64(current);
    } catch {
      return false;
    }
    if (verifySignature(key, endorsementText(link.publicKey), link.endorsement)) current = link.publicKey;
  }
  return current === presented;
}

/** Letters and digits a person reads off a screen without confusing them (no I, O, 0, 1). */
const FINGERPRINT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const FINGERPRINT_PATTERN = /^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/;

/**
 * HQ's key as people compare it: 80 bits of SHA-256 of the raw public key, 16 characters in four
 * groups (`7QKM-…`). Printed with enrolment codes; a device enrolling over plain HTTP checks the
 * key HQ presents against it, so a machine on the store network cannot pose as HQ.
 */
export function keyFingerprint(publicKeyBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest();
  // 80 bits = 16 characters of 5 bits each.
  let bits = BigInt(`0x${digest.subarray(0, 10).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = (FINGERPRINT_ALPHABET[Number(bits & 31n)] ?? '') + out;
    bits >>= 5n;
  }
  return inGroups(out);
}

function inGroups(plain: string): string {
  return [0, 4, 8, 12].map((i) => plain.slice(i, i + 4)).join('-');
}

/** A fingerprint as typed (any case, with or without dashes or blanks) in its printed form, or null. */
export function normalizeFingerprint(text: string): string | null {
  const plain = text.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-HJ-NP-Z2-9]{16}$/.test(plain) ? inGroups(plain) : null;
}
