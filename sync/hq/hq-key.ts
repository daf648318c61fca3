import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { endorseKey, keyFingerprint, publicKeyToBase64 } from '../protocol/signing.js';
import type { HqSigningKey, KeyLink } from '../protocol/signing.js';

/**
 * HQ's own Ed25519 key, which signs every answer to a device (sync/protocol/signing.ts). It lives
 * in a key file: PKCS#8 PEM, mode 0600, made on HQ's first start when missing (or made by IT with
 * `openssl genpkey -algorithm ed25519 -out hq-signing-key.pem`). The CLI keeps it in
 * `<data-dir>/hq-signing-key.pem` beside the PGlite folder, or where `--hq-key-file` /
 * SHOPFLOOR_HQ_KEY_FILE says: every HQ process serving the same devices must be given the same
 * file (one secret deployed to each machine, as a TLS key is), or devices refuse the answers of
 * the odd one out. Not in the database, so a dump or a read replica cannot pose as HQ; not in git
 * (`.shopfloor/` is ignored). After a rotation the chain of endorsements sits beside the key in
 * `<file>.chain.json`.
 */
export class HqKeyError extends Error {
  readonly code = 'hq_key_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'HqKeyError';
  }
}

function keyFromPem(pem: string, where: string): { privateKey: KeyObject; publicKey: string } {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new HqKeyError(`${where} is not a private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new HqKeyError(`${where} is a ${privateKey.asymmetricKeyType} key, not Ed25519`);
  return { privateKey, publicKey: publicKeyToBase64(createPublicKey(privateKey)) };
}

function newPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function writeSecret(path: string, text: string, exclusive: boolean): void {
  writeFileSync(path, text, { mode: 0o600, flag: exclusive ? 'wx' : 'w' });
  chmodSync(path, 0o600);
}

const chainFile = (keyFile: string) => `${keyFile}.chain.json`;

function readChain(keyFile: string): KeyLink[] {
  const path = chainFile(keyFile);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const valid = (l: unknown): l is KeyLink =>
    typeof (l as KeyLink | null)?.publicKey === 'string' && typeof (l as KeyLink | null)?.endorsement === 'string';
  if (!Array.isArray(parsed) || !parsed.every(valid)) throw new HqKeyError(`${path} is not a list of {publicKey, endorsement}`);
  return parsed;
}

/** A key that lives only as long as this process: for tests and for HQs started without a key file. */
export function ephemeralHqKey(): HqSigningKey {
  return { ...keyFromPem(newPem(), 'a new key'), chain: [] };
}

/** HQ's signing key from `keyFile`, made there (0600) when the file does not exist yet. */
export function loadHqKey(keyFile: string): HqSigningKey {
  if (!existsSync(keyFile)) {
    // Written whole under a name of this process's own, then linked into place: the link is
    // exclusive (HQ processes starting at once on one file end up with the same key) and atomic —
    // creating the file itself exclusively would let another process read it empty, between this
    // one's create and its write, and refuse to start.
    const draft = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeSecret(draft, newPem(), true);
    try {
      linkSync(draft, keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  return { ...keyFromPem(readFileSync(keyFile, 'utf8'), keyFile), chain: readChain(keyFile) };
}

/**
 * Replaces the key in `keyFile` with a new one that the old key endorses: a device that pinned
 * the old key checks the endorsement (sent with every answer) and pins the new key. HQ processes
 * sign with the new key once restarted; until then they keep the old one, which devices still
 * accept. Copy the new key file and its chain to every HQ machine. Returns both fingerprints.
 */
export function rotateHqKey(keyFile: string): { previous: string; current: string } {
  const before = loadHqKey(keyFile);
  const pem = newPem();
  const next = keyFromPem(pem, 'the new key');
  const link: KeyLink = { publicKey: next.publicKey, endorsement: endorseKey(before.privateKey, next.publicKey) };
  // The chain first: a crash between the two writes leaves the old key with a harmless extra link.
  writeSecret(`${chainFile(keyFile)}.tmp`, JSON.stringify([...before.chain, link], null, 2), false);
  renameSync(`${chainFile(keyFile)}.tmp`, chainFile(keyFile));
  writeSecret(`${keyFile}.tmp`, pem, false);
  renameSync(`${keyFile}.tmp`, keyFile);
  return { previous: keyFingerprint(before.publicKey), current: keyFingerprint(next.publicKey) };
}
