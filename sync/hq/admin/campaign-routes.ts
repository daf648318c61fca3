import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HqContext } from '../context.js';
import { refreshAutoTags } from '../customers/auto-tags.js';
import { CampaignError, runCampaign } from '../customers/campaigns.js';
import { customerMetrics } from '../customers/metrics.js';
import { importOnlineOrders, onlineOrderSchema, ordersFromCsv } from '../customers/online-orders.js';
import { HqHttpError } from '../http-error.js';
import { adminOfRequest } from './admin-users.js';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const text = (max: number) => z.string().min(1).max(max);
const days = z.number().int().min(0).max(3650);

const campaignSchema = z
  .object({
    id,
    brand: text(32),
    kind: z.enum(['reactivate', 'follow_up', 'birthday', 'back_in_stock']),
    name_zh: text(100),
    name_en: text(100),
    script_zh: text(1000),
    script_en: text(1000),
    coupon: text(64).optional(),
    params: z
      .object({
        dormantMinDays: days.optional(),
        dormantMaxDays: days.optional(),
        afterDays: days.optional(),
        withinDays: z.number().int().min(1).max(60).optional(),
        sku: text(64).optional(),
      })
      .strict()
      .default({}),
    storeIds: z.array(id).min(1).max(10_000).optional(),
    dueDays: z.number().int().min(0).max(90).default(3),
  })
  .strict();
const blackoutSchema = z.object({ id, brand: text(32), startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), reason: text(200) }).strict();
const metricsSchema = z
  .object({
    brand: text(32),
    storeId: id.optional(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    after: id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const revealsSchema = z
  .object({
    storeId: id,
    before: z.iso.datetime().optional(),
    /** With `before`: the page's `next`, so reveals made at the same instant are not skipped between pages. */
    beforeEventId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()
  .refine((q) => q.beforeEventId === undefined || q.before !== undefined, {
    path: ['beforeEventId'],
    message: 'beforeEventId goes with before: send both from the page’s `next`',
  });
const ordersSchema = z.object({ orders: z.array(z.unknown()).min(1).max(50_000) }).strict();
const CSV_LIMIT = 64 * 1024 * 1024;

/**
 * Campaigns and what comes of them: campaigns that task the guides (do-not-disturb, consent and
 * blackout windows respected), the playbook's metrics per store and guide, online orders imported
 * into the members' history with attribution, the automatic tags, and the phone-reveal audit.
 */
export function registerCampaignRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  const admin = (request: FastifyRequest) => adminOfRequest(hq.db, request, hq.clock());

  app.post(`${prefix}/campaigns`, async (request) => {
    const by = await admin(request);
    const input = campaignSchema.parse(request.body);
    try {
      return await hq.db.tx((sql) => runCampaign(sql, input, by, hq.clock()));
    } catch (error) {
      if (error instanceof CampaignError) throw new HqHttpError(400, 'bad_request', error.message);
      throw error;
    }
  });

  app.get(`${prefix}/campaigns/:id`, async (request) => {
    await admin(request);
    const { id: campaignId } = z.object({ id }).strict().parse(request.params);
    const [row] = await hq.db.query(
      'SELECT id, kind, name_zh, name_en, tasks, skipped, created_at, generated_at FROM campaign WHERE id = $1',
      [campaignId],
    );
    if (!row) throw new HqHttpError(404, 'not_found', `no campaign ${campaignId}`);
    const [progress] = await hq.db.query<{ done: number; open: number }>(
      `SELECT count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status IN ('open', 'snoozed'))::int AS open FROM customer_task WHERE campaign_id = $1`,
      [campaignId],
    );
    return { ...row, ...progress };
  });

  app.post(`${prefix}/contact-blackouts`, async (request) => {
    await admin(request);
    const b = blackoutSchema.parse(request.body);
    if (b.endsAt <= b.startsAt) throw new HqHttpError(400, 'bad_request', 'a blackout ends after it starts');
    await hq.db.query(
      `INSERT INTO contact_blackout (id, brand, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, reason = excluded.reason`,
      [b.id, b.brand, b.startsAt, b.endsAt, b.reason],
    );
    return b;
  });

  app.get(`${prefix}/customer-metrics`, async (request) => {
    await admin(request);
    const q = metricsSchema.parse(request.query);
    const stores = await customerMetrics(hq.db, { ...q, from: new Date(q.from), to: new Date(q.to) });
    return { from: q.from, to: q.to, stores, next: stores.length === q.limit ? (stores.at(-1)?.storeId ?? null) : null };
  });

  // The audit of who saw a full phone number, newest first, one page at a time: `next` is the
  // following page's cursor, by time and event id, since two reveals can share an instant (`before`
  // alone, as older callers send it, is the time strictly before).
  app.get(`${prefix}/customer-reveals`, async (request) => {
    await admin(request);
    const q = revealsSchema.parse(request.query);
    // The cursor's time to the microsecond PostgreSQL keeps (a JavaScript Date has milliseconds).
    const rows = await hq.db.query<{ eventId: string; cursor: string }>(
      `SELECT event_id::text AS "eventId", customer_id AS "customerId", staff_id AS "staffId", device_id::text AS "deviceId", reason, purpose, at,
              to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor
         FROM customer_reveal
        WHERE store_id = $1 AND (at, event_id) < (coalesce($2::timestamptz, 'infinity'), coalesce($3::uuid, '00000000-0000-0000-0000-000000000000'))
        ORDER BY at DESC, event_id DESC LIMIT $4`,
      [q.storeId, q.before ?? null, q.beforeEventId ?? null, q.limit],
    );
    const last = rows.at(-1);
    const next = rows.length === q.limit && last ? { before: last.cursor, beforeEventId: last.eventId } : null;
    return { reveals: rows.map(({ cursor: _cursor, ...reveal }) => reveal), next };
  });

  app.post(
    `${prefix}/online-orders`,
    { bodyLimit: CSV_LIMIT, onRequest: async (request: FastifyRequest) => void (await admin(request)) },
    async (request) => {
      const by = await admin(request);
      let orders;
      try {
        orders =
          typeof request.body === 'string'
            ? ordersFromCsv(request.body)
            : ordersSchema.parse(request.body).orders.map((o) => onlineOrderSchema.parse(o));
      } catch (error) {
        if (error instanceof z.ZodError) throw error;
        throw new HqHttpError(400, 'bad_request', (error as Error).message);
      }
      const now = hq.clock();
      return hq.db.tx(async (sql) => {
        const results = await importOnlineOrders(sql, orders, by, now);
        const customers = await sql.query<{ customer_id: string }>(
          'SELECT DISTINCT customer_id FROM online_order WHERE order_no = ANY($1)',
          [results.filter((r) => r.status === 'imported').map((r) => r.orderNo)],
        );
        if (customers.length > 0) await refreshAutoTags(sql, { customerIds: customers.map((c) => c.customer_id) }, now);
        return { results, imported: results.filter((r) => r.status === 'imported').length };
      });
    },
  );

  // The nightly job (or IT): recompute a store's automatic tags from its customers' purchases.
  app.post(`${prefix}/customer-tags/refresh`, async (request) => {
    await admin(request);
    const { storeId } = z.object({ storeId: id }).strict().parse(request.body);
    return hq.db.tx((sql) => refreshAutoTags(sql, { storeId }, hq.clock()));
  });
}
