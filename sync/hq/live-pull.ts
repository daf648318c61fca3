import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { PullRequest } from '../protocol/feed.js';
import type { HqErrorBody } from '../protocol/http.js';
import { liveAnswerFrame, liveIdSchema, livePullSchema, signLiveAnswer } from '../protocol/live.js';
import type { HqSigningKey } from '../protocol/signing.js';
import type { AuthedDevice, HqLog } from './context.js';
import { HqHttpError, hqErrorBody } from './http-error.js';

/** Pulls one channel may have in flight; a device pulls one page and prefetches the next. */
export const MAX_LIVE_PULLS_IN_FLIGHT = 4;

/** Answers a pull as the HTTP route does (sync/hq/routes/pull.ts servePull): the page as JSON text. */
export type LivePullServer = (device: AuthedDevice, request: PullRequest) => Promise<string>;

/** What a pull needs of its channel. */
export type PullChannel = { ws: WebSocket; device: AuthedDevice; nonce: string; inFlight: number };

const frameIdSchema = z.object({ id: liveIdSchema }).loose();

/**
 * One text frame a device sent on its live channel: a pull (sync/protocol/live.ts livePullSchema),
 * answered with one signed frame. A frame with a usable id but a bad request gets a signed 400
 * saying why; a frame without one cannot be answered and closes the channel (1008) — a device
 * of this protocol never sends one — as do more than MAX_LIVE_PULLS_IN_FLIGHT pulls at once.
 */
export function answerLivePull(
  channel: PullChannel,
  text: string,
  options: { serve: LivePullServer; key: HqSigningKey | null; clock: () => Date; log: HqLog },
): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const id = frameIdSchema.safeParse(json);
  if (!id.success) {
    channel.ws.close(1008, 'live: not a pull frame');
    return;
  }
  const answer = (status: number, body: string) => {
    if (channel.ws.readyState !== channel.ws.OPEN) return;
    const frame = options.key
      ? signLiveAnswer(options.key, { upgradeNonce: channel.nonce, id: id.data.id, status, body, now: options.clock() })
      : liveAnswerFrame({ answer: id.data.id, status, headers: {} }, body);
    channel.ws.send(frame, (error) => {
      if (error) channel.ws.terminate();
    });
  };
  const refuse = (error: HqHttpError) => answer(error.status, JSON.stringify(hqErrorBody(error) satisfies HqErrorBody));
  const pull = livePullSchema.safeParse(json);
  if (!pull.success) {
    refuse(new HqHttpError(400, 'bad_request', `not a pull: ${pull.error.issues[0]?.message ?? 'unreadable'}`));
    return;
  }
  if (channel.inFlight >= MAX_LIVE_PULLS_IN_FLIGHT) {
    // A device of this protocol has at most two in flight: a flood is not answered (each answer costs a signature).
    channel.ws.close(1008, `live: more than ${MAX_LIVE_PULLS_IN_FLIGHT} pulls in flight`);
    return;
  }
  channel.inFlight++;
  options.serve(channel.device, pull.data.request).then(
    (body) => {
      channel.inFlight--;
      answer(200, body);
    },
    (error: unknown) => {
      channel.inFlight--;
      if (error instanceof HqHttpError) return refuse(error);
      options.log('live pull failed', error instanceof Error ? error.message : String(error));
      refuse(new HqHttpError(500, 'internal', 'HQ failed to answer the pull'));
    },
  );
}
