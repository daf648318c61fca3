import type {
  AdminLoginAnswer,
  RefundExceptionList,
  ResolveAnswer,
  SettlementConflictList,
  StoreList,
} from '../../sync/protocol/finance.js';
import type { HqErrorBody } from '../../sync/protocol/http.js';

/** HQ's admin API, on the origin that served this page. */
const PREFIX = '/admin/v1';

/** HQ answered with a refusal (its closed error code and a message for people). */
export class HqRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** HQ did not answer at all (network down, HQ stopped). */
export class HqUnreachable extends Error {}

export type ListKind = 'conflicts' | 'refunds';
const LIST_PATHS: Readonly<Record<ListKind, string>> = { conflicts: 'settlement-conflicts', refunds: 'refund-exceptions' };

/** `day`: only the refunds of that business day (YYYY-MM-DD); the conflicts have no such filter. */
export type ListQuery = { storeId: string | null; openOnly: boolean; day?: string };

async function call<T>(method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${PREFIX}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new HqUnreachable('HQ cannot be reached');
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: a proxy's page; reported below by its status
  }
  if (!response.ok) {
    const error = (parsed as Partial<HqErrorBody> | null)?.error;
    throw new HqRefusal(response.status, error?.code ?? 'unknown', error?.message ?? `HTTP ${response.status}`);
  }
  return parsed as T;
}

function listPath(kind: ListKind, query: ListQuery): string {
  const params = new URLSearchParams({ open: String(query.openOnly) });
  if (query.storeId) params.set('storeId', query.storeId);
  if (query.day) {
    params.set('from', query.day);
    params.set('to', query.day);
  }
  return `/${LIST_PATHS[kind]}?${params.toString()}`;
}

export function login(name: string, password: string): Promise<AdminLoginAnswer> {
  return call('POST', '/login', null, { name, password });
}

export function listConflicts(token: string, query: ListQuery): Promise<SettlementConflictList> {
  return call('GET', listPath('conflicts', query), token);
}

export function listRefunds(token: string, query: ListQuery): Promise<RefundExceptionList> {
  return call('GET', listPath('refunds', query), token);
}

export function resolveRow(token: string, kind: ListKind, id: string, resolution: string): Promise<ResolveAnswer> {
  return call('POST', `/${LIST_PATHS[kind]}/${encodeURIComponent(id)}/resolve`, token, { resolution });
}

/** Every store of the chain, by code: how the lists name a row's store and read its clock. */
export function listStores(token: string): Promise<StoreList> {
  return call('GET', '/stores', token);
}

/** Ends `token` at HQ (sign-out): a copy of it left on a shared PC stops working. Idempotent. */
export async function logout(token: string): Promise<void> {
  await call('POST', '/logout', token);
}
