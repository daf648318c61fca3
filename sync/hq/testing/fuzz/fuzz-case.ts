import type { KeyObject } from 'node:crypto';
import type { Prng } from '../../../../fixtures/prng.js';
import { hqErrorSchema } from '../../../protocol/http.js';
import type { HqErrorCode } from '../../../protocol/http.js';
import { pushResponseSchema } from '../../../protocol/push.js';
import type { PushRejectReason } from '../../../protocol/push.js';
import { signRequest } from '../../../protocol/signing.js';
import type { RawAnswer, RawRequest } from './raw-http.js';

/** A device the fuzzer signs as (enrolled for real, or with a key HQ never saw). */
export type FuzzDevice = { id: string; storeId: string; brand: string; privateKey: KeyObject; publicKey: string; staffId: string };

/** What the cases are built from: two enrolled devices of two stores and a few prepared codes. */
export type FuzzTarget = {
  a: FuzzDevice;
  b: FuzzDevice;
  /** HQ's (frozen) clock: signed requests are stamped with it. */
  now: Date;
  adminToken: string;
  /** Codes for store A: unused, already used (by device A), expired. */
  codes: { fresh: string; used: string; expired: string };
  /** A SKU in stock at store A (an event that names it would move stock if accepted). */
  sku: string;
  prng: Prng;
};

export type Family = 'malformed' | 'oversized' | 'signature' | 'replay' | 'cross-store' | 'live' | 'admin';

/**
 * What a step must get:
 *  - refused: a 4xx with an hqErrorSchema body (optionally one of `codes`);
 *  - rejected: a 200 push answer in which every listed event is rejected (with one of `reasons`);
 *  - ok: a 2xx that writes nothing (the first, legitimate half of a replay).
 */
export type Expect =
  | { kind: 'refused'; codes?: readonly HqErrorCode[] }
  | { kind: 'rejected'; ids: readonly string[]; reasons?: readonly PushRejectReason[] }
  | { kind: 'ok' };

/** One request and what it must get (a WebSocket upgrade HQ accepted would show as status 101). */
export type Step = { request: RawRequest; expect: Expect };
export type FuzzCase = { family: Family; name: string; steps: Step[] };

/** A 32-hex nonce from the seeded PRNG: the same cases on every run, unique within one. */
export function nonceOf(prng: Prng): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += prng.int(0, 0xffffffff).toString(16).padStart(8, '0');
  return out;
}

/** Headers of a request signed by `device` at `now` (the body as sent, unless told otherwise). */
export function signed(
  target: FuzzTarget,
  device: FuzzDevice,
  method: string,
  path: string,
  body: Buffer | string,
  options: { now?: Date; nonce?: string; key?: KeyObject; json?: boolean } = {},
): Record<string, string> {
  const headers = signRequest(options.key ?? device.privateKey, {
    deviceId: device.id,
    method,
    path,
    body,
    now: options.now ?? target.now,
    nonce: options.nonce ?? nonceOf(target.prng),
  });
  return options.json === false ? headers : { ...headers, 'content-type': 'application/json' };
}

/** A signed JSON request from `device`. */
export function signedPost(target: FuzzTarget, device: FuzzDevice, path: string, body: Buffer | string): RawRequest {
  return { method: 'POST', path, headers: signed(target, device, 'POST', path, body), body };
}

export const refused = (...codes: HqErrorCode[]): Expect => (codes.length > 0 ? { kind: 'refused', codes } : { kind: 'refused' });

/** Checks an answer against what the step expected; returns what is wrong, or null. */
export function judge(step: Step, answer: RawAnswer): string | null {
  const body = parseJson(answer.text);
  const show = () => `${answer.status} ${answer.text.slice(0, 200)}`;
  switch (step.expect.kind) {
    case 'refused': {
      if (answer.status < 400 || answer.status > 499) return `expected a 4xx, got ${show()}`;
      const error = hqErrorSchema.safeParse(body);
      if (!error.success) return `the refusal is not an HQ error body: ${show()}`;
      if (error.data.error.message.length === 0) return `the refusal has no message: ${show()}`;
      const codes = step.expect.codes;
      if (codes && !codes.includes(error.data.error.code)) return `expected ${codes.join('|')}, got ${show()}`;
      return null;
    }
    case 'rejected': {
      if (answer.status !== 200) return `expected 200 with rejected events, got ${show()}`;
      const parsed = pushResponseSchema.safeParse(body);
      if (!parsed.success) return `not a push answer: ${show()}`;
      const byId = new Map(parsed.data.results.map((r) => [r.id, r]));
      for (const id of step.expect.ids) {
        const result = byId.get(id);
        if (result?.status !== 'rejected') return `event ${id} was not rejected: ${JSON.stringify(result)}`;
        if (result.message.length === 0) return `event ${id} was rejected without a message`;
        const reasons = step.expect.reasons;
        if (reasons && !reasons.includes(result.reason as PushRejectReason))
          return `event ${id}: expected ${reasons.join('|')}, got ${result.reason}`;
      }
      if (parsed.data.results.some((r) => r.status !== 'rejected')) return `an event was not rejected: ${show()}`;
      return null;
    }
    case 'ok':
      return answer.status >= 200 && answer.status < 300 ? null : `expected a 2xx, got ${show()}`;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
