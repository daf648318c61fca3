import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HqContext } from '../context.js';
import { decideBind } from '../customers/bindings.js';
import { offboardStaff } from '../customers/offboarding.js';
import { setStorePolicy, storePolicy } from '../customers/policy.js';
import {
  batchSummary,
  declineTransfer,
  recordTransfers,
  settleTransfers,
  TRANSFER_STATUSES,
  TransferError,
  transferResults,
} from '../customers/transfers.js';
import { HqHttpError } from '../http-error.js';
import { adminOfRequest } from './admin-users.js';

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const requestId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a request id is 1–64 letters, digits and . _ : -');
const reason = z.string().min(1).max(500);
const hours = z.number().int().min(0).max(720);

const offboardSchema = z
  .object({
    requestId,
    rule: z.enum(['successor', 'spread', 'pool']),
    successorId: id.optional(),
    reason: reason.default('offboarding'),
    takeoverHours: hours.optional(),
  })
  .strict();
const transfersSchema = z
  .object({
    requestId,
    kind: z.enum(['rebalance', 'store_move']),
    storeId: id,
    reason,
    takeoverHours: hours.optional(),
    moves: z
      .array(z.object({ customerId: id, toGuideId: id.nullable() }).strict())
      .min(1)
      .max(200_000),
  })
  .strict();
const pageSchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
    status: z.enum(TRANSFER_STATUSES as [string, ...string[]]).optional(),
  })
  .strict();
const policySchema = z
  .object({
    contactMax: z.number().int().min(1).max(100),
    contactDays: z.number().int().min(1).max(365),
    takeoverHours: hours,
    protectionDays: z.number().int().min(0).max(3650),
  })
  .strict();
const bindingSchema = z.object({ requestId, guideCode: z.string().min(1).max(32), memberCode: z.string().min(1).max(64) }).strict();

/** A rule the input breaks is the caller's error, with the reason. */
function asHttp(error: unknown): unknown {
  if (error instanceof TransferError)
    return new HqHttpError(error.status, error.status === 404 ? 'not_found' : 'bad_request', error.message);
  return error;
}

/**
 * Offboarding and transfers for IT and HQ's tools: offboard a guide with a transfer rule, move
 * customers in service (batches of any size, a request id, a result per customer to read back),
 * record a customer's decline, a store's rules, and a binding made by the customer scanning a
 * guide's QR in the mini-program. Transfers whose takeover window ended complete every minute (and
 * before a batch is read).
 */
export function registerTransferRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  const admin = (request: FastifyRequest) => adminOfRequest(hq.db, request, hq.clock());
  const settle = () => hq.db.tx((sql) => settleTransfers(sql, hq.clock()));
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(
      () => void settle().catch((error: unknown) => hq.log('settling transfers failed', (error as Error).message)),
      60_000,
    );
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));

  app.post(`${prefix}/staff/:id/offboard`, async (request) => {
    const by = await admin(request);
    const { id: staffId } = z.object({ id }).strict().parse(request.params);
    const input = offboardSchema.parse(request.body);
    try {
      return await hq.db.tx((sql) => offboardStaff(sql, { ...input, staffId }, by, hq.clock()));
    } catch (error) {
      throw asHttp(error);
    }
  });

  app.post(`${prefix}/transfers`, async (request) => {
    const by = await admin(request);
    const input = transfersSchema.parse(request.body);
    return hq.db.tx(async (sql) => {
      const [store] = await sql.query<{ kind: string }>('SELECT kind FROM location WHERE id = $1', [input.storeId]);
      if (store?.kind !== 'store') throw new HqHttpError(400, 'bad_request', `${input.storeId} is not a store`);
      const policy = await storePolicy(sql, input.storeId);
      return recordTransfers(
        sql,
        {
          requestId: input.requestId,
          kind: input.kind,
          storeId: input.storeId,
          fromGuideId: null,
          rule: 'explicit',
          reason: input.reason,
          takeoverHours: input.takeoverHours ?? policy.takeoverHours,
          createdBy: by,
        },
        input.moves,
        hq.clock(),
      );
    });
  });

  app.get(`${prefix}/transfers/:requestId`, async (request) => {
    await admin(request);
    const { requestId: rid } = z.object({ requestId }).strict().parse(request.params);
    const page = pageSchema.parse(request.query);
    await settle();
    const batch = await batchSummary(hq.db, rid);
    if (!batch) throw new HqHttpError(404, 'not_found', `no transfer batch ${rid}`);
    const results = await transferResults(hq.db, rid, { after: page.after, limit: page.limit, status: page.status as never });
    const last = results.at(-1);
    return { batch, results, next: results.length === page.limit && last ? last.n : null };
  });

  app.post(`${prefix}/customers/:id/decline-transfer`, async (request) => {
    const by = await admin(request);
    const { id: customerId } = z.object({ id }).strict().parse(request.params);
    try {
      return await hq.db.tx((sql) => declineTransfer(sql, customerId, by, hq.clock()));
    } catch (error) {
      throw asHttp(error);
    }
  });

  app.post(`${prefix}/transfers/settle`, async (request) => {
    await admin(request);
    return { completed: await settle() };
  });

  app.put(`${prefix}/stores/:id/customer-policy`, async (request) => {
    await admin(request);
    const { id: storeId } = z.object({ id }).strict().parse(request.params);
    const policy = policySchema.parse(request.body);
    await hq.db.tx((sql) => setStorePolicy(sql, storeId, policy, hq.clock()));
    return { storeId, ...policy };
  });

  // The customer scanned a guide's QR in the mini-program: its backend asks HQ, like a device would.
  app.post(`${prefix}/bindings`, async (request) => {
    await admin(request);
    const input = bindingSchema.parse(request.body);
    const now = hq.clock();
    return hq.db.tx(async (sql) => {
      const [found] = await sql.query<{ customer_id: string; guide_id: string; store_id: string }>(
        `SELECT m.customer_id, s.id AS guide_id, s.store_id FROM member_code m, staff s WHERE m.code = $1 AND s.code = $2`,
        [input.memberCode, input.guideCode],
      );
      if (!found) throw new HqHttpError(404, 'not_found', `no member ${input.memberCode} or no staff ${input.guideCode}`);
      const context = {
        requestId: input.requestId,
        storeId: found.store_id,
        staffId: found.guide_id,
        requestedAt: now.toISOString(),
        eventId: null,
        now,
      };
      return decideBind(sql, context, found.customer_id);
    });
  });
}
