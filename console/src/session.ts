/**
 * The signed-in admin's HQ token, kept in sessionStorage: it lives as long as the tab, is not
 * shared with other tabs and is gone when the browser closes (a finance PC is often shared).
 * `role` is the account's role as HQ said at sign-in: the lists are for finance and owners.
 */
export type Session = { name: string; token: string; expiresAt: string; role: string };

const KEY = 'shopfloor.console.session';

/** Whether an account of `role` may work finance's lists (HQ refuses the others with 403 anyway). */
export function mayWorkFinanceLists(role: string): boolean {
  return role === 'finance' || role === 'owner';
}

export function loadSession(storage: Storage, now: Date): Session | null {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    if (!saved || typeof saved.token !== 'string' || typeof saved.name !== 'string' || typeof saved.expiresAt !== 'string') return null;
    // Saved before HQ said roles: sign in again rather than guess.
    if (typeof saved.role !== 'string') return null;
    if (!(Date.parse(saved.expiresAt) > now.getTime())) return null;
    return { name: saved.name, token: saved.token, expiresAt: saved.expiresAt, role: saved.role };
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage, session: Session | null): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}

/** Whether HQ heard a sign-out (`ended`), or only this tab forgot the token (`local-only`). */
export type SignOutOutcome = 'ended' | 'local-only';

/**
 * Signs out: forgets the token here first (the shared PC is free at once, whatever HQ says), then
 * asks HQ to end it (`endAtHq`: POST /admin/v1/logout), so a copy of it stops working too. When HQ
 * cannot be reached the token still dies at its expiry; the outcome says so, for the console to tell.
 */
export async function signOut(storage: Storage, session: Session, endAtHq: (token: string) => Promise<unknown>): Promise<SignOutOutcome> {
  saveSession(storage, null);
  try {
    await endAtHq(session.token);
    return 'ended';
  } catch {
    return 'local-only';
  }
}
