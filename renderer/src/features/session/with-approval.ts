import type { StoreApi } from 'zustand/vanilla';
import type { Result } from '../../api/contract.js';
import type { SessionStoreState } from './session-store.js';
import type { ApprovalAction } from './session-types.js';

/** What the store asking for an approval does around it: its busy flag, its "cancelled" message, applying main's answer. */
export type ApprovalSteps<T> = {
  setBusy: (busy: boolean) => void;
  cancelled: () => void;
  apply: (result: Result<T>) => boolean;
};

/**
 * Tries `call` without an approval; when main answers APPROVAL_REQUIRED, asks the session for a
 * manager's single-use token and tries once more with it. When the cashier cancels, nothing is
 * retried and the store says so. The cart (discounts, price overrides, voided tenders, returns
 * without a receipt) and the till (paid-out, no-sale) share this one path.
 */
export async function withApproval<T>(
  session: StoreApi<SessionStoreState>,
  action: ApprovalAction,
  call: (token: string | undefined) => Promise<Result<T>>,
  steps: ApprovalSteps<T>,
): Promise<boolean> {
  steps.setBusy(true);
  const first = await call(undefined);
  if (first.ok || first.error.code !== 'APPROVAL_REQUIRED') return steps.apply(first);
  steps.setBusy(false);
  const token = await session.getState().requestApproval(action);
  if (!token) {
    steps.cancelled();
    return false;
  }
  steps.setBusy(true);
  return steps.apply(await call(token));
}
