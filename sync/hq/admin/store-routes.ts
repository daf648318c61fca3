import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StoreList } from '../../protocol/finance.js';
import type { HqContext } from '../context.js';
import { adminOfRequest } from './admin-users.js';

/** It takes no parameters: one that is sent is a mistake to report, not to ignore. */
const storesQuery = z.object({}).strict();

/**
 * `GET <prefix>/stores`: the chain's stores (not its warehouses), by code, with their names and
 * the time zone their receipts are read in — what finance's console names a row's store with.
 */
export function registerStoreRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  app.get(`${prefix}/stores`, async (request): Promise<StoreList> => {
    await adminOfRequest(hq.db, request, hq.clock());
    storesQuery.parse(request.query);
    const rows = await hq.db.query<{ id: string; code: string; name_zh: string; name_en: string; timezone: string }>(
      `SELECT id, code, name_zh, name_en, timezone FROM location WHERE kind = 'store' ORDER BY code`,
    );
    return {
      stores: rows.map((r) => ({ id: r.id, code: r.code, name: { zh: r.name_zh, en: r.name_en }, timezone: r.timezone })),
    };
  });
}
