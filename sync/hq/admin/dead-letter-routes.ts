import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { outboxEventSchema } from '../../protocol/events/index.js';
import type { PushResult } from '../../protocol/push.js';
import { authedDeviceOf } from '../context.js';
import type { HqContext } from '../context.js';
import { HqHttpError } from '../http-error.js';
import { applyPush } from '../push/apply-push.js';
import { PROJECTION_REFUSED, reprojectDeadLetter } from '../projector/project-batch.js';
import { adminOfRequest } from './admin-users.js';

const params = z.object({ deviceId: z.uuid(), eventId: z.string().min(1).max(64) }).strict();

/**
 * IT re-applies an event a device dead-lettered, once HQ is fixed (a missing staff member added,
 * an upgrade that knows the type): the event the device reported is pushed again as that device's,
 * through the same checks and effects, exactly once by its id. The outcome is kept on the dead
 * letter; a refusal again says why.
 */
export function registerDeadLetterRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  app.post(`${prefix}/dead-letters/:deviceId/:eventId/reapply`, async (request) => {
    await adminOfRequest(hq.db, request, hq.clock());
    const { deviceId, eventId } = params.parse(request.params);
    const [row] = await hq.db.query<{ event: unknown; reason: string; store_id: string; receipt_code: string; brand: string }>(
      `SELECT dl.event, dl.reason, d.store_id, d.receipt_code, l.brand
         FROM dead_letter dl JOIN device d ON d.id = dl.device_id JOIN location l ON l.id = d.store_id
        WHERE dl.device_id = $1 AND dl.event_id = $2`,
      [deviceId, eventId],
    );
    if (!row) throw new HqHttpError(404, 'not_found', `no dead letter ${eventId} of device ${deviceId}`);
    const event = outboxEventSchema.safeParse(row.event);
    if (!event.success)
      throw new HqHttpError(
        409,
        'bad_request',
        'the device did not report this event itself (an older device): it cannot be re-applied from HQ',
      );
    const now = hq.clock();
    if (row.reason === PROJECTION_REFUSED) {
      const result = await reproject(hq, deviceId, eventId, now);
      // Projected by an earlier re-apply: its dead letter keeps 'accepted', which is what keeps
      // reprojectDeadLetter from queueing it again (overwritten with 'duplicate', a third click would).
      if (result.status === 'duplicate') return { result, outcome: describe(result) };
      return answer(deviceId, eventId, result, now);
    }
    const device = authedDeviceOf(deviceId, row);
    // The device's store may have changed since: the event still names the store it happened in.
    if (event.data.storeId !== device.storeId) {
      throw new HqHttpError(409, 'bad_request', `the event is of store ${event.data.storeId}; the device is now of ${device.storeId}`);
    }
    const [result] = await applyPush(hq.db, device, { deviceId, storeId: device.storeId, events: [event.data] }, now);
    return answer(deviceId, eventId, result!, now);
  });

  /** Keeps the outcome on the dead letter, and answers it. */
  async function answer(deviceId: string, eventId: string, result: PushResult, now: Date) {
    const outcome = describe(result);
    await hq.db.query('UPDATE dead_letter SET reapplied_at = $3, reapply_result = $4 WHERE device_id = $1 AND event_id = $2', [
      deviceId,
      eventId,
      now,
      outcome,
    ]);
    return { result, outcome };
  }
}

/**
 * An event HQ recorded and its projector refused: pushed again it would be a duplicate and write
 * nothing, so it is projected again instead (reprojectDeadLetter). Answered as a push would be:
 * accepted once its effects are written (duplicate after that), or refused again with the
 * projector's reason.
 */
async function reproject(hq: HqContext, deviceId: string, eventId: string, now: Date): Promise<PushResult> {
  const done = await reprojectDeadLetter(hq.db, deviceId, eventId, now);
  if (done.outcome === 'refused') {
    return { id: eventId, status: 'rejected', reason: 'bad_payload', message: `${PROJECTION_REFUSED}: ${done.message}`.slice(0, 500) };
  }
  return { id: eventId, status: done.outcome === 'projected' ? 'accepted' : 'duplicate' };
}

function describe(result: PushResult): string {
  return result.status === 'rejected' ? `rejected again: ${result.reason}: ${result.message}` : result.status;
}
