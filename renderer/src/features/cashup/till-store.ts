import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, Result } from '../../api/contract.js';
import type { SessionStoreState } from '../session/session-store.js';
import type { ApprovalAction } from '../session/session-types.js';
import { withApproval } from '../session/with-approval.js';
import type { CashReport, CountedInput, TillDrawer, TillState } from './till-types.js';

export type TillMessage =
  | { kind: 'error'; error: ApiError }
  /** `drawer`: what the drawer did, when it did not simply open (did not open, or may have). */
  | { kind: 'done'; what: 'opened' | 'paid_in' | 'paid_out' | 'no_sale'; drawer?: TillDrawer }
  | { kind: 'approval-cancelled' };

export type TillStoreState = {
  till: TillState | undefined;
  /** The last X or Z report asked for. */
  report: CashReport | undefined;
  busy: boolean;
  message: TillMessage | undefined;
  load: () => Promise<void>;
  open: (floatFen: number) => Promise<boolean>;
  paidIn: (amountFen: number, reason: string) => Promise<boolean>;
  paidOut: (amountFen: number, reason: string) => Promise<boolean>;
  noSale: (reason: string) => Promise<boolean>;
  xReport: (blind: boolean) => Promise<boolean>;
  zReport: (counted: CountedInput, blind: boolean) => Promise<boolean>;
  clearReport: () => void;
  dismissMessage: () => void;
};

/** The till's business day: float, cash movements, X and Z reports. */
export function createTillStore(api: Api, session: StoreApi<SessionStoreState>): StoreApi<TillStoreState> {
  const store = createStore<TillStoreState>()((set) => {
    const applyTill = (
      result: Result<TillState & { drawer?: TillDrawer }>,
      done?: 'opened' | 'paid_in' | 'paid_out' | 'no_sale',
    ): boolean => {
      if (result.ok) {
        const { drawer, ...till } = result.value;
        const message: TillMessage | undefined = done
          ? { kind: 'done', what: done, ...(drawer && !drawer.opened ? { drawer } : {}) }
          : undefined;
        set({ till, busy: false, message });
        return true;
      }
      set({ busy: false, message: { kind: 'error', error: result.error } });
      return false;
    };
    /** Tries without approval; when main asks for one, gets a manager's token and tries once more. */
    const approved = (
      action: ApprovalAction,
      done: 'paid_out' | 'no_sale',
      call: (token: string | undefined) => Promise<Result<TillState & { drawer?: TillDrawer }>>,
    ): Promise<boolean> =>
      withApproval(session, action, call, {
        setBusy: (busy) => set({ busy }),
        cancelled: () => set({ message: { kind: 'approval-cancelled' } }),
        apply: (result) => applyTill(result, done),
      });
    const applyReport = (result: Result<CashReport>): boolean => {
      if (result.ok) {
        set({ report: result.value, busy: false, message: undefined });
        return true;
      }
      set({ busy: false, message: { kind: 'error', error: result.error } });
      return false;
    };

    return {
      till: undefined,
      report: undefined,
      busy: false,
      message: undefined,
      load: async () => {
        const result = await api.call('cashup', 'state', {});
        if (result.ok) set({ till: result.value });
        else set({ message: { kind: 'error', error: result.error } });
      },
      open: async (floatFen) => {
        set({ busy: true, report: undefined });
        return applyTill(await api.call('cashup', 'open', { floatFen }), 'opened');
      },
      paidIn: async (amountFen, reason) => {
        set({ busy: true });
        return applyTill(await api.call('cashup', 'paidIn', { amountFen, reason }), 'paid_in');
      },
      paidOut: (amountFen, reason) =>
        approved('paid_out', 'paid_out', (token) =>
          api.call('cashup', 'paidOut', token ? { amountFen, reason, approvalToken: token } : { amountFen, reason }),
        ),
      noSale: (reason) =>
        approved('no_sale', 'no_sale', (token) => api.call('cashup', 'noSale', token ? { reason, approvalToken: token } : { reason })),
      // The expected figures need a manager (a blind report does not): the same approval path as a paid-out.
      xReport: (blind) =>
        withApproval(
          session,
          'x_report',
          (token) => api.call('cashup', 'xReport', token ? { blind, print: false, approvalToken: token } : { blind, print: false }),
          {
            setBusy: (busy) => set({ busy }),
            cancelled: () => set({ message: { kind: 'approval-cancelled' } }),
            apply: applyReport,
          },
        ),
      zReport: async (counted, blind) => {
        set({ busy: true });
        const ok = applyReport(await api.call('cashup', 'zReport', { counted, blind }));
        if (ok) await store.getState().load();
        return ok;
      },
      clearReport: () => set({ report: undefined }),
      dismissMessage: () => set({ message: undefined }),
    };
  });
  api.on('till.changed', (till) => store.setState({ till }));
  session.subscribe((s, prev) => {
    if (s.session?.state === 'active' && prev.session?.state !== 'active') void store.getState().load();
  });
  return store;
}
