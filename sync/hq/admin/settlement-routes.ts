import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HqContext } from '../context.js';
import { HqHttpError } from '../http-error.js';
import { adminOfToken } from './admin-users.js';

const policySchema = z
  .object({
    offlineRedeem: z.enum(['refuse', 'limit']),
    offlinePointsPerDay: z.number().int().min(0).max(10_000_000),
    offlineCouponsPerDay: z.number().int().min(0).max(100),
  })
  .strict();
const conflictQuery = z.object({ storeId: z.string().min(1).max(64).optional(), open: z.enum(['true', 'false']).optional() }).strict();

/**
 * Finance's list of redemptions HQ found already spent (the sales stand; the amount at risk is
 * listed), and each store's policy for redeeming while HQ cannot be asked.
 */
export function registerSettlementRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  app.get(`${prefix}/settlement-conflicts`, async (request) => {
    await adminOfToken(hq.db, request.headers.authorization, hq.clock());
    const q = conflictQuery.parse(request.query);
    const rows = await hq.db.query<{
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
      resolved_at: Date | null;
    }>(
      `SELECT sale_id, receipt_no, store_id, device_id::text AS device_id, customer_id, coupons, points, at_risk_fen::text AS at_risk_fen,
              detail, offline, created_at, resolved_at
         FROM settlement_conflict
        WHERE ($1::text IS NULL OR store_id = $1) AND ($2::boolean IS FALSE OR resolved_at IS NULL)
        ORDER BY created_at DESC LIMIT 1000`,
      [q.storeId ?? null, q.open !== 'false'],
    );
    return {
      conflicts: rows.map((r) => ({
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
        resolvedAt: r.resolved_at?.toISOString() ?? null,
      })),
    };
  });

  app.put(`${prefix}/stores/:storeId/policy`, async (request) => {
    await adminOfToken(hq.db, request.headers.authorization, hq.clock());
    const { storeId } = z.object({ storeId: z.string().min(1).max(64) }).parse(request.params);
    const p = policySchema.parse(request.body);
    const rows = await hq.db.query(
      `UPDATE store_policy SET offline_redeem = $2, offline_points_per_day = $3, offline_coupons_per_day = $4 WHERE store_id = $1 RETURNING store_id`,
      [storeId, p.offlineRedeem, p.offlinePointsPerDay, p.offlineCouponsPerDay],
    );
    if (rows.length === 0) throw new HqHttpError(404, 'not_found', `no store ${storeId}`);
    return { storeId, ...p };
  });
}
