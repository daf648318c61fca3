import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminMe, AdminRole } from '../../protocol/finance.js';
import { HqHttpError } from '../http-error.js';

/*
 * The roles of HQ's admin accounts (admin_user.role, HQ migration 0022; the list is the protocol's
 * ADMIN_ROLES). A chain gives finance, IT and customer operations accounts of their own: a finance
 * clerk cannot revoke a store's tills, IT cannot move customers between guides.
 */
export { ADMIN_ROLES } from '../../protocol/finance.js';
export type { AdminRole } from '../../protocol/finance.js';
/** The admin a request's token belongs to. */
export type AdminSession = AdminMe;

/**
 * Who may call a route: `anyone` (login), any `signed-in` admin, or the roles named — an `owner`
 * may call every route, and the routes only an owner may call name just `owner`.
 */
export type AdminAccess = 'anyone' | 'signed-in' | readonly AdminRole[];

const IT = ['it'] as const;
const FINANCE = ['finance'] as const;
const OPERATIONS = ['operations'] as const;

/**
 * Every admin route (method and path under the admin prefix) and who may call it: the one place
 * that says so. A route this table does not name cannot be registered (guardAdminRoutes), and
 * admin-roles.test.ts checks the table against the routes HQ registers.
 */
export const ADMIN_ROUTE_ROLES = {
  'POST /login': 'anyone',
  'GET /me': 'signed-in',
  // Ends the token it is called with: the handler reads the token itself, so a second sign-out of
  // an ended token answers the same instead of 401 (the console may retry one it lost the answer to).
  'POST /logout': 'anyone',
  // Admin accounts and their roles; DELETE disables one (kept for the audit trail).
  'GET /admin-users': ['owner'],
  'PUT /admin-users/:name': ['owner'],
  'DELETE /admin-users/:name': ['owner'],
  // The chain's stores by name and time zone (read-only): every role's lists name them.
  'GET /stores': 'signed-in',

  // IT: stores (their receipt codes are the tills'), staff records, enrolment, the fleet, dead letters.
  'POST /locations': IT,
  'POST /staff': IT,
  'POST /enrolment-codes': IT,
  'GET /devices': IT,
  'POST /devices/:id/revoke': IT,
  'GET /dead-letters': IT,
  'POST /dead-letters/:deviceId/:eventId/reapply': IT,

  // Finance: the sales that stand with money at risk, and how much a till may redeem offline.
  'GET /settlement-conflicts': FINANCE,
  'POST /settlement-conflicts/:id/resolve': FINANCE,
  'GET /refund-exceptions': FINANCE,
  'POST /refund-exceptions/:id/resolve': FINANCE,
  'PUT /stores/:storeId/policy': FINANCE,

  // Operations: what is sold (brands, catalog, stock) and the customer book.
  'POST /brands': OPERATIONS,
  'POST /catalog': OPERATIONS,
  'PUT /stock': OPERATIONS,
  'POST /staff/:id/offboard': OPERATIONS,
  'POST /transfers': OPERATIONS,
  'GET /transfers/:requestId': OPERATIONS,
  'POST /transfers/settle': OPERATIONS,
  'POST /customers/:id/decline-transfer': OPERATIONS,
  'PUT /stores/:id/customer-policy': OPERATIONS,
  // The mini-program's backend, when a customer scans a guide's QR: give it an operations account.
  'POST /bindings': OPERATIONS,
  'POST /campaigns': OPERATIONS,
  'GET /campaigns/:id': OPERATIONS,
  'POST /contact-blackouts': OPERATIONS,
  'GET /customer-metrics': OPERATIONS,
  'GET /customer-reveals': OPERATIONS,
  'POST /online-orders': OPERATIONS,
  'POST /customer-tags/refresh': OPERATIONS,
} as const satisfies Record<string, AdminAccess>;

const TABLE: Readonly<Record<string, AdminAccess>> = ADMIN_ROUTE_ROLES;

/** A route's key in the table: a HEAD is its GET's (fastify answers HEAD with the GET route). */
function routeKey(method: string, url: string, prefix: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url.slice(prefix.length)}`;
}

/** Whether `role` may call a route of `access` (an owner may call every route). */
function roleMay(role: AdminRole, access: AdminAccess): boolean {
  return access === 'anyone' || access === 'signed-in' || role === 'owner' || access.includes(role);
}

/**
 * Declares every admin route's guard at its registration: registering a route under `prefix` that
 * ADMIN_ROUTE_ROLES does not name throws, so none can be added without saying who may call it.
 * Register this before the routes. Every request to an admin route but login then has its admin
 * (`sessionOf`: 401 without a valid token) checked against its route's roles before its body is
 * read — an anonymous caller or a finance clerk must not make HQ buffer a 128 MB catalog — and a
 * caller outside them is refused with 403, naming the roles needed.
 */
export function guardAdminRoutes(
  app: FastifyInstance,
  prefix: string,
  sessionOf: (request: FastifyRequest) => Promise<AdminSession>,
): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${prefix}/`)) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const key = routeKey(method, route.url, prefix);
      if (!(key in TABLE))
        throw new Error(`admin route ${key} declares no roles: add it to ADMIN_ROUTE_ROLES (sync/hq/admin/admin-roles.ts)`);
    }
  });
  // Decided by the route that matched, not the URL's text, so no spelling of a path slips past.
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith(`${prefix}/`)) return;
    const access = TABLE[routeKey(request.method, url, prefix)];
    if (access === undefined) throw new HqHttpError(403, 'forbidden', 'this admin route declares no roles');
    if (access === 'anyone') return;
    const admin = await sessionOf(request);
    if (!roleMay(admin.role, access)) throw outsideRole(request, access as readonly AdminRole[], admin);
  });
}

/** The 403 for an admin whose role a route does not allow, naming the roles it needs. */
function outsideRole(request: FastifyRequest, access: readonly AdminRole[], admin: AdminSession): HqHttpError {
  const needed = [...new Set<AdminRole>([...access, 'owner'])].join(' or ');
  return new HqHttpError(
    403,
    'forbidden',
    `${request.method} ${request.routeOptions.url ?? request.url} needs the role ${needed}; ${admin.name} is ${admin.role}`,
  );
}
