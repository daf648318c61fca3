import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context.js';
import { registerCampaignRoutes } from './campaign-routes.js';
import { registerTransferRoutes } from './transfer-routes.js';

/** The customer book's admin API (issue 11), under the admin prefix; every route needs an admin token. */
export function registerCustomerBookRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  registerTransferRoutes(app, hq, prefix);
  registerCampaignRoutes(app, hq, prefix);
}
