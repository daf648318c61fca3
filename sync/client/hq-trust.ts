import type { KeyObject } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ANSWER_HEADERS, keyDescendsFrom, keyFingerprint, parseKeyChain, publicKeyFromBase64, verifyAnswer } from '../protocol/signing.js';
import type { AnswerParts } from '../protocol/signing.js';
import { readMeta } from './identity.js';

/** An answer as the device received it: what HQ's signature must cover, and its headers. */
export type ReceivedAnswer = AnswerParts & { header(name: string): string | null };

/**
 * Why an answer is not HQ's. `bad_response` is what sync reports (the device acts on nothing in
 * it); enrolment says more: HQ presented a key whose fingerprint is not the one IT gave
 * (`hq_key_mismatch`), or nothing vouched for HQ's key (`hq_unverified`: plain HTTP, no fingerprint).
 */
export type TrustProblem = { code: 'bad_response' | 'hq_key_mismatch' | 'hq_unverified'; message: string };

/**
 * Who the device believes HQ is. Every answer goes through check() before the device acts on it:
 * signed with the pinned key, or with a newer key the pinned one endorsed (then pinned in turn).
 */
export type HqTrust = {
  check(answer: ReceivedAnswer): TrustProblem | null;
  /** The key live messages must be signed with; null while none is pinned. */
  liveKey(): KeyObject | null;
};

/** Where a device keeps HQ's key: `meta` (encrypted with the store). */
export type HqKeyPins = {
  pinned(): string | null;
  /** For a device enrolled before HQ signed its answers: the fingerprint its first key must have, if IT gave one. */
  expectedFingerprint(): string | null;
  pin(publicKey: string): void;
};

export const HQ_KEY_META = 'hq_public_key';
export const HQ_FINGERPRINT_META = 'hq_fingerprint';

export function metaKeyPins(db: Database): HqKeyPins {
  // Read again on every check while the store is open (the replicator may pin a rotated key that
  // another client of the same store then sees); a client that outlives its store handle (the
  // till's hold client across a reopen) keeps what it read last.
  let pinned = readMeta(db, HQ_KEY_META) ?? null;
  let expected = readMeta(db, HQ_FINGERPRINT_META) ?? null;
  return {
    pinned() {
      if (db.open) pinned = readMeta(db, HQ_KEY_META) ?? null;
      return pinned;
    },
    expectedFingerprint() {
      if (db.open) expected = readMeta(db, HQ_FINGERPRINT_META) ?? null;
      return expected;
    },
    pin(publicKey) {
      pinned = publicKey;
      if (!db.open) return;
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
        HQ_KEY_META,
        publicKey,
      );
    },
  };
}

const problem = (code: TrustProblem['code'], message: string): TrustProblem => ({ code, message });

function parseKey(text: string): KeyObject | null {
  try {
    return publicKeyFromBase64(text);
  } catch {
    return null;
  }
}

/** Checks the signature itself with `key` (the key's trust is the caller's business). */
function signatureProblem(key: string, answer: ReceivedAnswer): TrustProblem | null {
  const time = answer.header(ANSWER_HEADERS.time);
  const signature = answer.header(ANSWER_HEADERS.signature);
  const keyObject = parseKey(key);
  if (!time || !signature || !keyObject) return problem('bad_response', `HQ's answer to ${answer.path} is not signed`);
  if (!verifyAnswer(keyObject, { ...answer, time, signature }))
    return problem(
      'bad_response',
      `HQ's answer to ${answer.path} does not carry HQ's signature: it was changed on the way, or not sent by HQ`,
    );
  return null;
}

/**
 * The trust of an enrolled device. A device enrolled before HQ signed its answers has no key
 * pinned: it takes the first key that signs an answer correctly (and matches the fingerprint IT
 * gave, if any) and pins it — a one-time window documented in the README.
 */
export function pinnedTrust(pins: HqKeyPins, log: (message: string) => void = () => undefined): HqTrust {
  let cached: { text: string; key: KeyObject } | null = null;
  const keyOf = (text: string): KeyObject | null => {
    if (cached?.text !== text) {
      const key = parseKey(text);
      cached = key ? { text, key } : null;
    }
    return cached?.key ?? null;
  };
  return {
    check(answer) {
      const presented = answer.header(ANSWER_HEADERS.key);
      if (!presented) return problem('bad_response', `HQ's answer to ${answer.path} is not signed`);
      const pinned = pins.pinned();
      if (pinned === null) {
        const expected = pins.expectedFingerprint();
        if (expected !== null && keyFingerprint(presented) !== expected)
          return problem('bad_response', `HQ's key ${keyFingerprint(presented)} is not the one IT gave (${expected})`);
      } else if (presented !== pinned && !keyDescendsFrom(pinned, presented, parseKeyChain(answer.header(ANSWER_HEADERS.chain)))) {
        return problem('bad_response', `HQ's answer to ${answer.path} is signed by a key this device does not trust`);
      }
      const bad = signatureProblem(presented, answer);
      if (bad) return bad;
      if (presented !== pinned) {
        pins.pin(presented);
        log(
          pinned === null
            ? `sync: pinned HQ's key ${keyFingerprint(presented)} (first signed answer)`
            : `sync: HQ rotated its key to ${keyFingerprint(presented)}`,
        );
      }
      return null;
    },
    liveKey() {
      const pinned = pins.pinned();
      return pinned ? keyOf(pinned) : null;
    },
  };
}

/**
 * The trust of a device enrolling: HQ's key is not known yet. It is taken from the answer when
 * its fingerprint is the one IT gave, or — without a fingerprint — only over HTTPS, where the
 * certificate vouches for HQ. Over plain HTTP with no fingerprint, enrolment is refused: anyone
 * on the store network could answer it. `accepted()` is the key to pin once enrolment succeeds.
 */
export function enrolmentTrust(options: { fingerprint: string | null; https: boolean }): HqTrust & { accepted(): string | null } {
  let accepted: string | null = null;
  return {
    check(answer) {
      const presented = answer.header(ANSWER_HEADERS.key);
      if (!presented) return problem('bad_response', `HQ's answer to ${answer.path} is not signed (is this HQ up to date?)`);
      if (options.fingerprint !== null && keyFingerprint(presented) !== options.fingerprint)
        return problem(
          'hq_key_mismatch',
          `the server answering is not the HQ of this enrolment code: its key is ${keyFingerprint(presented)}, the code says ${options.fingerprint}`,
        );
      if (options.fingerprint === null && !options.https)
        return problem(
          'hq_unverified',
          "over plain HTTP this device cannot tell HQ from another machine: give HQ's fingerprint with the code (CODE@FINGERPRINT) or use https",
        );
      const bad = signatureProblem(presented, answer);
      if (bad) return bad;
      accepted = presented;
      return null;
    },
    liveKey: () => (accepted ? parseKey(accepted) : null),
    accepted: () => accepted,
  };
}
