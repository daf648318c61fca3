import type { OutboxEvent } from '../../protocol/events/index.js';
import { SYNC_PATHS } from '../../protocol/http.js';
import { MAX_PUSH_BYTES, deadLetterReportSchema, pushRequestSchema } from '../../protocol/push.js';
import type { PushResponse } from '../../protocol/push.js';
import { pageHeadsText, PULL_PAGES_HEADER, pullRequestSchema } from '../../protocol/feed.js';
import { holdRequestSchema } from '../../protocol/holds.js';
import type { HoldAnswer } from '../../protocol/holds.js';
import type { HqContext } from '../context.js';
import { recordPush } from '../push/apply-push.js';
import { createDeviceQueue } from '../push/device-queue.js';
import { recordDeadLetters } from './dead-letters.js';
import { holdRedemptions } from './holds.js';
import { DEAD_LETTER_BODY_LIMIT, SMALL_BODY_LIMIT } from './device-route.js';
import type { DeviceRoutes } from './device-route.js';
import { servePullAnswer } from './pull.js';

/**
 * Push, pull and dead-letter routes of the device sync API (sync/protocol/http.ts SYNC_PATHS). A
 * push is answered once its events are recorded; `recorded` (the projector's) gets the new ones after.
 */
export function registerSyncRoutes(hq: HqContext, routes: DeviceRoutes, recorded: (events: readonly OutboxEvent[]) => void): void {
  const queue = createDeviceQueue();

  routes.post(SYNC_PATHS.push, MAX_PUSH_BYTES, async (device, body): Promise<PushResponse> => {
    const input = pushRequestSchema.parse(body);
    const results = await queue(device.id, () => recordPush(hq.db, device, input, hq.clock()));
    const accepted = new Set(results.filter((r) => r.status === 'accepted').map((r) => r.id));
    recorded(input.events.filter((e) => accepted.has(e.id)));
    return { results, serverTime: hq.clock().toISOString() };
  });

  routes.post(SYNC_PATHS.pull, SMALL_BODY_LIMIT, async (device, body, _request, reply) => {
    const input = pullRequestSchema.parse(body);
    // The rows are JSON text already: the body is concatenated, never parsed and re-stringified.
    const { text, pages } = await servePullAnswer(hq.db, device, input, hq.clock(), hq.feedHeads);
    // The pages in brief, ahead of the body: the device asks for its next pages while it reads this one.
    const heads = pageHeadsText(pages);
    if (heads !== null) reply.header(PULL_PAGES_HEADER, heads);
    return reply.type('application/json; charset=utf-8').send(text);
  });

  routes.post(SYNC_PATHS.hold, SMALL_BODY_LIMIT, async (device, body): Promise<HoldAnswer> => {
    const input = holdRequestSchema.parse(body);
    return hq.db.tx((sql) => holdRedemptions(sql, device, input, hq.clock()));
  });

  routes.post(SYNC_PATHS.deadLetters, DEAD_LETTER_BODY_LIMIT, async (device, body) => {
    const input = deadLetterReportSchema.parse(body);
    return recordDeadLetters(hq.db, device.id, input);
  });
}
