import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RefundExceptionList, ResolveAnswer, SettlementConflictList } from '../../protocol/finance.js';
import type { HqContext } from '../context.js';
import { HqHttpError } from '../http-error.js';
import { adminOfRequest } from './admin-users.js';

const policySchema = z
  .object({
    offlineRedeem: z.enum(['refuse', 'limit']),
    offlinePointsPerDay: z.number().int().min(0).max(10_000_000),
    offlineCouponsPerDay: z.number().int().min(0).max(100),
  })
  .strict();
const storeField = z.string().min(1).max(64);
/** `open=true`: only rows not resolved yet; `false`: all of them. Each list has its own default. */
const openFilter = z.enum(['true', 'false']).optional();
const conflictQuery = z.object({ storeId: storeField.optional(), open: openFilter }).strict();
/** Refund exceptions answered at most per request (`truncated` says there were more). */
const REFUND_PAGE = 1000;
const refundQuery = z
  .object({ storeId: storeField.optional(), from: z.iso.date().optional(), to: z.iso.date().optional(), open: openFilter })
  .strict();
const rowId = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a row id (a positive integer)') }).strict();
const resolveBody = z.object({ resolution: z.string().trim().min(1).max(500) }).strict();

/** Who resolved a listed row, when and how; null while it is open. */
type Resolved = { resolved_at: Date | null; resolved_by: string | null; resolution: string | null };
const resolvedFields = (r: Resolved) => ({
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
});

/**
 * Finance's lists: redemptions HQ found already spent (the sales stand; the amount at risk is
 * listed) and refunds that did not go back the way the money came, each resolved once finance has
 * dealt with it; and each store's policy for redeeming while HQ cannot be asked.
 */
export function registerSettlementRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  registerResolve(app, hq, `${prefix}/settlement-conflicts`, 'settlement_conflict');
  registerResolve(app, hq, `${prefix}/refund-exceptions`, 'refund_exception');

  app.get(`${prefix}/settlement-conflicts`, async (request): Promise<SettlementConflictList> => {
    await adminOfRequest(hq.db, request, hq.clock());
    const q = conflictQuery.parse(request.query);
    const rows = await hq.db.query<
      {
        id: string;
        sale_id: string;
        receipt_no: string;
        store_id: string;
        device_id: string;
        customer_id: string | null;
        coupons: string[];
        points: number;
        at_risk_fen: string;
        detail: string;
        offline: boolean;
        created_at: Date;
      } & Resolved
    >(
      `SELECT id::text AS id, sale_id, receipt_no, store_id, device_id::text AS device_id, customer_id, coupons, points,
              at_risk_fen::text AS at_risk_fen, detail, offline, created_at, resolved_at, resolved_by, resolution
         FROM settlement_conflict
        WHERE ($1::text IS NULL OR store_id = $1) AND ($2::boolean IS FALSE OR resolved_at IS NULL)
        ORDER BY created_at DESC LIMIT 1000`,
      [q.storeId ?? null, q.open !== 'false'],
    );
    return {
      conflicts: rows.map((r) => ({
        id: r.id,
        saleId: r.sale_id,
        receiptNo: r.receipt_no,
        storeId: r.store_id,
        deviceId: r.device_id,
        customerId: r.customer_id,
        coupons: r.coupons,
        points: r.points,
        atRiskFen: Number(r.at_risk_fen),
        detail: r.detail,
        offline: r.offline,
        createdAt: r.created_at.toISOString(),
        ...resolvedFields(r),
      })),
    };
  });

  // Refunds paid another way (cash for a card sale, a manager approved on the till) or beyond the
  // sale's money of their method (sync/hq/projector/check-refunds.ts), newest first, by the
  // return's business day.
  app.get(`${prefix}/refund-exceptions`, async (request): Promise<RefundExceptionList> => {
    await adminOfRequest(hq.db, request, hq.clock());
    const q = refundQuery.parse(request.query);
    const rows = await hq.db.query<
      {
        id: string;
        sale_id: string;
        receipt_no: string;
        business_day: string;
        store_id: string;
        device_id: string;
        staff_id: string;
        original_receipt_no: string | null;
        method: string;
        instead_of: string | null;
        amount_fen: string;
        unfunded_fen: string;
        detail: string;
        created_at: Date;
      } & Resolved
    >(
      `SELECT x.id::text AS id, x.sale_id, s.receipt_no, x.business_day::text AS business_day, x.store_id, s.device_id::text AS device_id, s.staff_id,
              o.receipt_no AS original_receipt_no, x.method, x.instead_of, x.amount_fen::text AS amount_fen,
              x.unfunded_fen::text AS unfunded_fen, x.detail, x.created_at, x.resolved_at, x.resolved_by, x.resolution
         FROM refund_exception x JOIN sale s ON s.id = x.sale_id LEFT JOIN sale o ON o.id = x.original_sale_id
        WHERE ($1::text IS NULL OR x.store_id = $1) AND ($2::date IS NULL OR x.business_day >= $2) AND ($3::date IS NULL OR x.business_day <= $3)
          AND ($4::boolean IS FALSE OR x.resolved_at IS NULL)
        ORDER BY x.business_day DESC, x.id DESC LIMIT ${REFUND_PAGE + 1}`,
      [q.storeId ?? null, q.from ?? null, q.to ?? null, q.open === 'true'],
    );
    return {
      // More than a page: narrow the days or the store.
      truncated: rows.length > REFUND_PAGE,
      refunds: rows.slice(0, REFUND_PAGE).map((r) => ({
        id: r.id,
        saleId: r.sale_id,
        receiptNo: r.receipt_no,
        businessDay: r.business_day,
        storeId: r.store_id,
        deviceId: r.device_id,
        staffId: r.staff_id,
        originalReceiptNo: r.original_receipt_no,
        method: r.method,
        insteadOf: r.instead_of,
        amountFen: Number(r.amount_fen),
        unfundedFen: Number(r.unfunded_fen),
        detail: r.detail,
        createdAt: r.created_at.toISOString(),
        ...resolvedFields(r),
      })),
    };
  });

  app.put(`${prefix}/stores/:storeId/policy`, async (request) => {
    await adminOfRequest(hq.db, request, hq.clock());
    const { storeId } = z.object({ storeId: storeField }).parse(request.params);
    const p = policySchema.parse(request.body);
    const rows = await hq.db.query(
      `UPDATE store_policy SET offline_redeem = $2, offline_points_per_day = $3, offline_coupons_per_day = $4 WHERE store_id = $1 RETURNING store_id`,
      [storeId, p.offlineRedeem, p.offlinePointsPerDay, p.offlineCouponsPerDay],
    );
    if (rows.length === 0) throw new HqHttpError(404, 'not_found', `no store ${storeId}`);
    return { storeId, ...p };
  });
}

/**
 * `POST <list>/:id/resolve` with `{ resolution }`: finance marks one listed row dealt with, once,
 * as the admin calling. The sale or refund it names stands either way. Asked again with the same
 * resolution by the same admin (an answer lost on the way), it answers the same; a row resolved
 * otherwise is refused with who resolved it, when and how.
 */
function registerResolve(app: FastifyInstance, hq: HqContext, path: string, table: 'settlement_conflict' | 'refund_exception'): void {
  app.post(`${path}/:id/resolve`, async (request): Promise<ResolveAnswer> => {
    const now = hq.clock();
    const admin = await adminOfRequest(hq.db, request, now);
    const { id } = rowId.parse(request.params);
    const { resolution } = resolveBody.parse(request.body);
    const [done] = await hq.db.query<Resolved>(
      `UPDATE ${table} SET resolved_at = $2, resolved_by = $3, resolution = $4
        WHERE id = $1 AND resolved_at IS NULL
        RETURNING resolved_at, resolved_by, resolution`,
      [id, now, admin, resolution],
    );
    if (done) return { id, ...resolvedFields(done) };
    // Not open, or no such row. Read it in a statement of its own: under READ COMMITTED its snapshot
    // sees a resolve that committed while the update above waited on the row (a second SELECT in the
    // update's statement would still see the row open). A resolved row never opens again.
    const [row] = await hq.db.query<Resolved>(`SELECT resolved_at, resolved_by, resolution FROM ${table} WHERE id = $1`, [id]);
    if (!row) throw new HqHttpError(404, 'not_found', `no row ${id} in this list`);
    if (row.resolved_by !== admin || row.resolution !== resolution)
      throw new HqHttpError(
        409,
        'bad_request',
        `already resolved by ${row.resolved_by ?? 'an earlier HQ'} at ${row.resolved_at!.toISOString()}: ${row.resolution}`,
      );
    return { id, ...resolvedFields(row) };
  });
}
