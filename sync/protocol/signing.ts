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
