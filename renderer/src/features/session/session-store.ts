import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, Result } from '../../api/contract.js';
import { watchIdle } from './idle-watch.js';
import type { IdleTimers } from './idle-watch.js';
import type { ApprovalAction, SessionState } from './session-types.js';

/** A manager's approval being asked for; the dialog shows it, `approve` / `cancel` settle it. */
export type ApprovalRequest = { id: number; action: ApprovalAction; error: ApiError | undefined; busy: boolean };

export type SessionStoreState = {
  /** Undefined until main answered (the gate shows nothing rather than a wrong screen). */
  session: SessionState | undefined;
  busy: boolean;
  /** The last failed login / unlock (WRONG_PIN, STAFF_LOCKED …). */
  error: ApiError | undefined;
  approval: ApprovalRequest | undefined;
  load: () => Promise<void>;
  login: (code: string, pin: string) => Promise<boolean>;
  unlock: (pin: string) => Promise<boolean>;
  lock: () => Promise<void>;
  logout: () => Promise<void>;
  /**
   * Asks for a manager's code and PIN for one action; resolves with the single-use token, or
   * undefined when the cashier cancels. One request at a time: a second one cancels the first.
   */
  requestApproval: (action: ApprovalAction) => Promise<string | undefined>;
  approve: (managerCode: string, pin: string) => Promise<void>;
  cancelApproval: () => void;
};

/** The till's staff session: who is logged in, the lock, and managers' approvals. Main decides; this mirrors. */
export function createSessionStore(api: Api): StoreApi<SessionStoreState> {
  let nextApproval = 1;
  let settleApproval: ((token: string | undefined) => void) | undefined;

  const store = createStore<SessionStoreState>()((set, get) => {
    const apply = (result: Result<SessionState>): boolean => {
      if (result.ok) {
        set({ session: result.value, busy: false, error: undefined });
        return true;
      }
      set({ busy: false, error: result.error });
      return false;
    };

    return {
      session: undefined,
      busy: false,
      error: undefined,
      approval: undefined,

      load: async () => {
        const result = await api.call('staff', 'session', {});
        // Unreadable session: the gate shows the login with this error rather than nothing.
        if (result.ok) set({ session: result.value });
        else set({ error: result.error });
      },
      login: async (code, pin) => {
        set({ busy: true, error: undefined });
        return apply(await api.call('staff', 'login', { code, pin }));
      },
      unlock: async (pin) => {
        set({ busy: true, error: undefined });
        return apply(await api.call('staff', 'unlock', { pin }));
      },
      lock: async () => {
        if (get().session?.state !== 'active') return;
        get().cancelApproval();
        apply(await api.call('staff', 'lock', {}));
      },
      logout: async () => {
        get().cancelApproval();
        set({ busy: true });
        apply(await api.call('staff', 'logout', {}));
      },

      requestApproval: (action) => {
        settleApproval?.(undefined);
        set({ approval: { id: nextApproval++, action, error: undefined, busy: false } });
        return new Promise((resolve) => {
          settleApproval = resolve;
        });
      },
      approve: async (managerCode, pin) => {
        const request = get().approval;
        if (!request || request.busy) return;
        set({ approval: { ...request, busy: true, error: undefined } });
        const result = await api.call('staff', 'approve', { managerCode, pin, action: request.action });
        if (get().approval?.id !== request.id) return; // cancelled meanwhile
        if (!result.ok) {
          set({ approval: { ...request, busy: false, error: result.error } });
          return;
        }
        const settle = settleApproval;
        settleApproval = undefined;
        set({ approval: undefined });
        settle?.(result.value.token);
      },
      cancelApproval: () => {
        const settle = settleApproval;
        settleApproval = undefined;
        if (get().approval) set({ approval: undefined });
        settle?.(undefined);
      },
    };
  });

  api.on('staff.session', (session) => store.setState({ session }));
  // Events sent while disconnected are lost: ask again on every (re)connect.
  api.onOpen(() => void store.getState().load());
  if (api.isOpen()) void store.getState().load();
  return store;
}

/**
 * Locks the till after `idleMs` without a touch or key while someone is logged in. Lives beside
 * the session, not in a screen: walking away from the lookup tab must lock the till too.
 */
export function lockWhenIdle(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  session: StoreApi<SessionStoreState>,
  idleMs: number,
  timers?: IdleTimers,
): () => void {
  let stopWatching: (() => void) | undefined;
  const follow = (state: SessionState | undefined) => {
    const active = state?.state === 'active';
    if (active && !stopWatching) stopWatching = watchIdle(target, idleMs, () => void session.getState().lock(), timers);
    if (!active && stopWatching) {
      stopWatching();
      stopWatching = undefined;
    }
  };
  follow(session.getState().session);
  const unsubscribe = session.subscribe((s, prev) => {
    if (s.session !== prev.session) follow(s.session);
  });
  return () => {
    unsubscribe();
    stopWatching?.();
  };
}

/** Idle time before the till locks itself. */
export const IDLE_LOCK_MS = 5 * 60_000;
