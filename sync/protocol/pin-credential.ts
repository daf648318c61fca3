import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * PIN hashing: scrypt with a per-staff salt. The cost is modest on purpose (≈10 ms): a login must
 * stay instant on a store tablet, and what really stops guessing a 4–8 digit PIN is the lockout
 * after five wrong tries plus the store's encryption at rest.
 */
export const PIN_SCRYPT = { N: 4096, r: 8, p: 1, keylen: 32 } as const;

export function hashPin(pin: string, saltHex: string): string {
  const { N, r, p, keylen } = PIN_SCRYPT;
  return scryptSync(pin, Buffer.from(saltHex, 'hex'), keylen, { N, r, p }).toString('hex');
}

/**
 * `hashPin` on libuv's thread pool: the same hash, without holding the event loop for its ≈10 ms.
 * For work that hashes many PINs while something else can run (HQ's sample brand import hashes
 * its staff's demo PINs while it generates the rest of the sample).
 */
export function hashPinAsync(pin: string, saltHex: string): Promise<string> {
  const { N, r, p, keylen } = PIN_SCRYPT;
  return new Promise((resolve, reject) =>
    scrypt(pin, Buffer.from(saltHex, 'hex'), keylen, { N, r, p }, (error, key) => (error ? reject(error) : resolve(key.toString('hex')))),
  );
}

export function newPinSalt(): string {
  return randomBytes(16).toString('hex');
}

export function verifyPin(pin: string, saltHex: string, hashHex: string): boolean {
  const expected = Buffer.from(hashHex, 'hex');
  const actual = Buffer.from(hashPin(pin, saltHex), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
