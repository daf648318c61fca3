import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { SYNC_PATHS } from './http.js';
import { ANSWER_HEADERS, NONCE_PATTERN, signAnswer, verifyAnswer } from './signing.js';
import type { HqSigningKey } from './signing.js';

/** The live channel (WebSocket, signed upgrade): HQ nudges, the device pulls. It carries no data. */
export const liveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  /** Something changed in these scopes of yours: pull now. */
  z.object({ type: z.literal('changed'), scopes: z.array(z.string()) }).strict(),
  /** This device was revoked: stop syncing and show it. */
  z.object({ type: z.literal('revoked') }).strict(),
]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;

/**
 * Every live message travels signed by HQ, wrapped: `message` is the exact JSON text of a
 * LiveMessage. `nonce` is the signed upgrade request's nonce for the messages meant for one
 * channel (`ready`, `revoked`: a captured one cannot be replayed to another device or
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
