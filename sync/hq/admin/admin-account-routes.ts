import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_ROLES } from '../../protocol/finance.js';
import type { AdminAccount, AdminMe } from '../../protocol/finance.js';
import type { HqContext } from '../context.js';
import { adminAccounts, adminLogout, adminSessionOfRequest, disableAdminAccount, saveAdminAccount } from './admin-users.js';

const nameParams = z
  .object({ name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'an account name is 1–64 letters, digits and _ . @ -') })
  .strict();
const accountBody = z
  .object({
    role: z.enum(ADMIN_ROLES),
    /** Required for a new account; for an existing one a new password ends its sessions. */
    password: z.string().min(10, 'a password is at least 10 characters').max(200).optional(),
  })
  .strict();

/**
 * Who a token belongs to (`GET /me`, any admin: the console hides what the role cannot do) and,
 * for owners, the admin accounts and their roles (ADMIN_ROUTE_ROLES says who may call each).
 */
export function registerAdminAccountRoutes(app: FastifyInstance, hq: HqContext, prefix: string): void {
  app.get(`${prefix}/me`, async (request): Promise<AdminMe> => {
    const { name, role } = await adminSessionOfRequest(hq.db, request, hq.clock());
    return { name, role };
  });

  // Sign-out: ends the caller's token at HQ (idempotent; 401 only without a token at all).
  app.post(`${prefix}/logout`, async (request): Promise<{ signedOut: true }> => {
    await adminLogout(hq.db, request.headers.authorization);
    return { signedOut: true };
  });

  app.get(`${prefix}/admin-users`, async () => ({ admins: await adminAccounts(hq.db) }));

  // Creates an account with a role, or changes an account's role (and password): `{ role, password? }`.
  app.put(`${prefix}/admin-users/:name`, async (request): Promise<AdminAccount> => {
    const { name } = nameParams.parse(request.params);
    const { role, password } = accountBody.parse(request.body);
    return saveAdminAccount(hq.db, password === undefined ? { name, role } : { name, role, password });
  });

  // Disables an account at once, everywhere: its login and its open sessions (a clerk who left).
  app.delete(`${prefix}/admin-users/:name`, async (request): Promise<AdminAccount> => {
    const { name } = nameParams.parse(request.params);
    return disableAdminAccount(hq.db, name, hq.clock());
  });
}
