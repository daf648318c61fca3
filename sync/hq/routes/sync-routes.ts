import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SYNC_PATHS } from '../../protocol/http.js';
import { deadLetterReportSchema, pushRequestSchema } from '../../protocol/push.js';
import type { PushResponse } from '../../protocol/push.js';
import { pullRequestSchema } from '../../protocol/feed.js';
import { holdRequestSchema } from '../../protocol/holds.js';
import type { HoldAnswer } from '../../protocol/holds.js';
import type { HqContext } from '../context.js';
import { signedRequestOf } from '../enrol.js';
import { applyPush } from '../push/apply-push.js';
import { createDeviceQueue } from '../push/device-queue.js';
import { recordDeadLetters } from './dead-letters.js';
import { holdRedemptions } from './holds.js';
import { servePull } from './pull.js';

/** Push, pull and dead-letter routes of the device sync API (sync/protocol/http.ts SYNC_PATHS). */
export function registerSyncRoutes(app: FastifyInstance, hq: HqContext): void {
  const queue = createDeviceQueue();
  const authed = (request: FastifyRequest) => hq.authenticate(signedRequestOf(request));

  app.post(SYNC_PATHS.push, async (request): Promise<PushResponse> => {
    const device = await authed(request);
    const input = pushRequestSchema.parse(request.body);
    const results = await queue(device.id, () => applyPush(hq.db, device, input, hq.clock()));
    return { results, serverTime: hq.clock().toISOString() };
  });

  app.post(SYNC_PATHS.pull, async (request, reply) => {
    const device = await authed(request);
    const input = pullRequestSchema.parse(request.body);
    // The rows are JSON text already: the body is concatenated, never parsed and re-stringified.
    const body = await servePull(hq.db, device, input, hq.clock());
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.post(SYNC_PATHS.hold, async (request): Promise<HoldAnswer> => {
    const device = await authed(request);
    const input = holdRequestSchema.parse(request.body);
    return hq.db.tx((sql) => holdRedemptions(sql, device, input, hq.clock()));
  });

  app.post(SYNC_PATHS.deadLetters, async (request) => {
    const device = await authed(request);
    const input = deadLetterReportSchema.parse(request.body);
    return { recorded: await recordDeadLetters(hq.db, device.id, input) };
  });
}
