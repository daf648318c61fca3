/**
 * Finance's lists as HQ's admin API answers them (sync/hq/admin/settlement-routes.ts) and the
 * finance console reads them (console/). Amounts are integer fen; instants are ISO-8601 UTC.
 */

/** Who resolved a listed row, when (ISO) and how; all null while it is open. */
export type Resolution = { resolvedAt: string | null; resolvedBy: string | null; resolution: string | null };

/** A redemption HQ found already spent: the sale stands, `atRiskFen` is what the coupons/points were worth. */
export type SettlementConflict = {
  id: string;
  saleId: string;
  receiptNo: string;
  storeId: string;
  deviceId: string;
  customerId: string | null;
  coupons: string[];
  points: number;
  atRiskFen: number;
  detail: string;
  /** The till redeemed while it could not ask HQ. */
  offline: boolean;
  createdAt: string;
} & Resolution;

/** A refund that did not go back the way the money came (or beyond what came that way). */
export type RefundException = {
  id: string;
  saleId: string;
  receiptNo: string;
  /** The return's business day (YYYY-MM-DD, the store's). */
  businessDay: string;
  storeId: string;
  deviceId: string;
  staffId: string;
  originalReceiptNo: string | null;
  method: string;
  insteadOf: string | null;
  amountFen: number;
  unfundedFen: number;
  detail: string;
  createdAt: string;
} & Resolution;

/** `GET /admin/v1/settlement-conflicts` */
export type SettlementConflictList = { conflicts: SettlementConflict[] };
/** `GET /admin/v1/refund-exceptions`: `truncated` when there were more than one page. */
export type RefundExceptionList = { truncated: boolean; refunds: RefundException[] };
/** `POST /admin/v1/{settlement-conflicts|refund-exceptions}/:id/resolve` with `{ resolution }`. */
export type ResolveAnswer = { id: string } & Resolution;
/**
 * The roles of HQ's admin accounts; which routes each may call is HQ's ADMIN_ROUTE_ROLES
 * (sync/hq/admin/admin-roles.ts). The console works finance's lists for `finance` and `owner`.
 */
export const ADMIN_ROLES = ['owner', 'it', 'finance', 'operations'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];
/** `GET /admin/v1/me`: who the token belongs to and their role now. */
export type AdminMe = { name: string; role: AdminRole };
/**
 * An admin account as owners manage it (`GET /admin/v1/admin-users`, `PUT`/`DELETE
 * /admin/v1/admin-users/:name`): a disabled one cannot log in and has no open session.
 */
export type AdminAccount = AdminMe & { disabled: boolean };
/** `POST /admin/v1/login` with `{ name, password }`: a token, and who it belongs to. */
export type AdminLoginAnswer = { token: string; expiresAt: string } & AdminMe;

/** A store of the chain as finance's lists name it; `timezone` (IANA) is the one its receipts are read in. */
export type StoreSummary = { id: string; code: string; name: { zh: string; en: string }; timezone: string };
/** `GET /admin/v1/stores`: every store (no warehouse), by code. */
export type StoreList = { stores: StoreSummary[] };
