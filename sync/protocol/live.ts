import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { pullRequestSchema } from './feed.js';
import { SYNC_PATHS } from './http.js';
import { ANSWER_HEADERS, NONCE_PATTERN, signAnswer, verifyAnswer } from './signing.js';
import type { HqSigningKey } from './signing.js';

/**
 * The live channel (WebSocket, signed upgrade): HQ nudges; the device pulls over it (livePullSchema)
 * while it is up, and over signed HTTP while it is not.
 */
export const liveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  /**
   * Sent just before `ready` by an HQ that answers pulls on the channel (livePullSchema); a device
   * pulls over HTTP from an HQ that did not say so. (An older device ignores it: not its protocol.)
   */
  z.object({ type: z.literal('pulls') }).strict(),
  /** Something changed in these scopes of yours: pull now. */
  z.object({ type: z.literal('changed'), scopes: z.array(z.string()) }).strict(),
  /** This device was revoked: stop syncing and show it. */
  z.object({ type: z.literal('revoked') }).strict(),
]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;

/**
 * Every live message travels signed by HQ, wrapped: `message` is the exact JSON text of a
 * LiveMessage. `nonce` is the signed upgrade request's nonce for the messages meant for one
 * channel (`pulls`, `ready`, `revoked`: a captured one cannot be replayed to another device or
 * connection), or the message's own fresh nonce for `changed`, which HQ signs once and sends to
 * every channel of a scope (a replayed nudge only makes a device pull, and pulls are signed).
 */
export const liveFrameSchema = z
  .object({
    message: z.string().max(16 * 1024),
    nonce: z.string().regex(NONCE_PATTERN),
    time: z.string().regex(/^\d{1,15}$/),
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();
export type LiveFrame = z.infer<typeof liveFrameSchema>;

/** The frame HQ sends for `message` (LiveMessage JSON text). */
export function signLiveFrame(key: HqSigningKey, message: string, nonce: string, now: Date): string {
  const headers = signAnswer(key, { status: 101, method: 'GET', path: SYNC_PATHS.live, nonce, body: message, now });
  const frame: LiveFrame = {
    message,
    nonce,
    time: headers[ANSWER_HEADERS.time] ?? '',
    signature: headers[ANSWER_HEADERS.signature] ?? '',
  };
  return JSON.stringify(frame);
}

/**
 * The message of a frame signed by `hqKey`, with the nonce it was signed over; null for anything
 * else (not a frame, a wrong signature, not a LiveMessage). The caller checks the nonce.
 */
export function openLiveFrame(hqKey: KeyObject, text: string): { message: LiveMessage; nonce: string } | null {
  let frame: LiveFrame;
  try {
    frame = liveFrameSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
  const signed = verifyAnswer(hqKey, {
    status: 101,
    method: 'GET',
    path: SYNC_PATHS.live,
    nonce: frame.nonce,
    body: frame.message,
    time: frame.time,
    signature: frame.signature,
  });
  if (!signed) return null;
  try {
    return { message: liveMessageSchema.parse(JSON.parse(frame.message)), nonce: frame.nonce };
  } catch {
    return null;
  }
}

/**
 * A pull over the live channel: the device sends `{type: 'pull', id, request}` (request: a
 * PullRequest) as a plain text frame. No signature and no nonce per request: the socket was
 * opened with a signed upgrade (HQ checked the device) and HQ's `ready` (the device checked HQ).
 * `id` counts up per connection; HQ's answer carries it.
 */
/** A pull's id on its connection, and the answer's. */
export const liveIdSchema = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31);

export const livePullSchema = z
  .object({
    type: z.literal('pull'),
    id: liveIdSchema,
    request: pullRequestSchema,
  })
  .strict();
export type LivePull = z.infer<typeof livePullSchema>;

/** A device's pull frame is small (8 scopes with 512-character cursors, 64 kinds); HQ refuses bigger frames. */
export const MAX_LIVE_PULL_BYTES = 16 * 1024;

/**
 * HQ's answer to a live pull: one line of JSON (this head), a line feed, then the body exactly as
 * the HTTP pull route would answer it — a pull answer or an HQ error — so a page of rows is not
 * escaped into a JSON string. The head carries HQ's answer headers (signing.ts signAnswer): the
 * device checks them like an HTTP answer's (hq-trust.ts, key rotation included).
 */
export const liveAnswerHeadSchema = z
  .object({
    answer: liveIdSchema,
    status: z.number().int().min(200).max(599),
    headers: z.partialRecord(z.enum(Object.values(ANSWER_HEADERS) as [string, ...string[]]), z.string().max(4096)),
  })
  .strict();
export type LiveAnswerHead = z.infer<typeof liveAnswerHeadSchema>;

/**
 * What HQ's signature over a live answer names as the request's nonce: the upgrade's nonce (this
 * device, this connection) and the pull's id. An answer captured on one connection, or given for
 * another pull, does not verify; it cannot pass for an HTTP answer either (those nonces are 32
 * hex digits, this one is not).
 */
export function liveAnswerNonce(upgradeNonce: string, id: number): string {
  return `${upgradeNonce}.${id}`;
}

/** HQ's answer frame to pull `id` on the channel opened with `upgradeNonce`; one signature, as for an HTTP answer. */
export function signLiveAnswer(
  key: HqSigningKey,
  answer: { upgradeNonce: string; id: number; status: number; body: string; now: Date },
): string {
  const headers = signAnswer(key, {
    status: answer.status,
    method: 'POST',
    path: SYNC_PATHS.pull,
    nonce: liveAnswerNonce(answer.upgradeNonce, answer.id),
    body: answer.body,
    now: answer.now,
  });
  return liveAnswerFrame({ answer: answer.id, status: answer.status, headers }, answer.body);
}

/** The frame: the head on one line, then the body as it is. */
export function liveAnswerFrame(head: LiveAnswerHead, body: string): string {
  return `${JSON.stringify(head)}\n${body}`;
}

/** An answer frame split into its checked head and its body; null when the text is not one (a JSON live frame has no raw line feed). */
export function splitLiveAnswer(text: string): { head: LiveAnswerHead; body: string } | null {
  const cut = text.indexOf('\n');
  if (cut < 0 || cut > 8192) return null;
  try {
    return { head: liveAnswerHeadSchema.parse(JSON.parse(text.slice(0, cut))), body: text.slice(cut + 1) };
  } catch {
    return null;
  }
}
