import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, Result, ScanEvent } from '../../api/contract.js';
import type { SessionStoreState } from '../session/session-store.js';
import type { ApprovalAction } from '../session/session-types.js';
import { withApproval } from '../session/with-approval.js';
import type { CartState, DiscountInput, ParkedCart, SaleResult, SaleSummary, SaleView, TenderInput } from './checkout-types.js';

/** Kept as data, not text, so a banner re-renders in the new language after a switch. */
export type CartMessage =
  | { kind: 'error'; error: ApiError; query?: string }
  | { kind: 'scan-malformed'; raw: string; reason: ScanEvent['reason'] }
  /** A receipt barcode scanned at the Sell screen: the cashier may want the Returns screen. */
  | { kind: 'receipt'; receiptNo: string }
  | { kind: 'receipt-not-found'; receiptNo: string }
  | { kind: 'parked' }
  | { kind: 'approval-cancelled' };

export type CartStoreState = {
  /** Main's cart, rendered as is (main prices it; the receipt prints the same numbers). */
  cart: CartState | undefined;
  busy: boolean;
  message: CartMessage | undefined;
  /** The sale just completed, until the next customer. */
  lastSale: SaleResult | undefined;
  parked: ParkedCart[] | undefined;
  /** The Returns screen's original sale, found by receipt number. */
  returnSale: SaleView | undefined;
  /** The identified member's sales on this device, for a return without the paper receipt. */
  memberSales: SaleSummary[] | undefined;
  load: () => Promise<void>;
  handleScan: (event: ScanEvent) => Promise<void>;
  /** A scanned or typed code: product, member, coupon, receipt, payment code. */
  scan: (code: string) => Promise<void>;
  setQty: (lineId: string, qty: number) => Promise<boolean>;
  removeLine: (lineId: string) => Promise<boolean>;
  lineDiscount: (lineId: string, discount: DiscountInput) => Promise<boolean>;
  priceOverride: (lineId: string, unitFen: number | null, reason: string) => Promise<boolean>;
  clear: () => Promise<boolean>;
  park: (note: string) => Promise<boolean>;
  loadParked: () => Promise<void>;
  resume: (parkedId: string) => Promise<boolean>;
  identifyMember: (input: { code: string } | { phone: string }) => Promise<boolean>;
  removeMember: () => Promise<boolean>;
  applyCoupon: (code: string) => Promise<boolean>;
  removeCoupon: (code: string) => Promise<boolean>;
  redeemPoints: (points: number) => Promise<boolean>;
  addTender: (tender: TenderInput) => Promise<boolean>;
  removeTender: (tenderId: string) => Promise<boolean>;
  /** `cashInstead`: the refund goes back in cash rather than to the card or mobile payment (a manager approves). */
  complete: (options?: { cashInstead?: true }) => Promise<boolean>;
  findSale: (receiptNo: string) => Promise<boolean>;
  loadMemberSales: (memberId: string) => Promise<void>;
  startReturn: (receiptNo: string) => Promise<boolean>;
  setReturnQty: (saleLineId: string, qty: number) => Promise<boolean>;
  noReceiptReturn: (sku: string, qty: number) => Promise<boolean>;
  cancelReturn: () => Promise<boolean>;
  nextCustomer: () => void;
  dismissMessage: () => void;
};

/** The Sell and Returns screens' state. The cart itself lives in main; every action answers with it. */
export function createCartStore(api: Api, session: StoreApi<SessionStoreState>): StoreApi<CartStoreState> {
  const store = createStore<CartStoreState>()((set, get) => {
    /** Applies a call's answer: the new cart, or the error as a message. */
    const apply = (result: Result<CartState>, query?: string): boolean => {
      if (result.ok) {
        set({ cart: result.value, busy: false, message: undefined });
        return true;
      }
      set({
        busy: false,
        message: query === undefined ? { kind: 'error', error: result.error } : { kind: 'error', error: result.error, query },
      });
      return false;
    };

    const run = async (call: () => Promise<Result<CartState>>, query?: string): Promise<boolean> => {
      set({ busy: true });
      return apply(await call(), query);
    };

    /** Tries without approval; when main asks for one, gets a manager's token and tries once more. */
    const approved = (action: ApprovalAction, call: (token: string | undefined) => Promise<Result<CartState>>): Promise<boolean> =>
      withApproval(session, action, call, {
        setBusy: (busy) => set({ busy }),
        cancelled: () => set({ message: { kind: 'approval-cancelled' } }),
        apply: (result) => apply(result),
      });

    return {
      cart: undefined,
      busy: false,
      message: undefined,
      lastSale: undefined,
      parked: undefined,
      returnSale: undefined,
      memberSales: undefined,

      load: async () => {
        const result = await api.call('checkout', 'cart', {});
        if (result.ok) set({ cart: result.value });
      },

      handleScan: async (event) => {
        if (event.kind === 'malformed') {
          set({ message: { kind: 'scan-malformed', raw: event.raw, reason: event.reason } });
          return;
        }
        // Not a product to the classifier: main's checkout knows members, coupons, receipts, payment codes.
        await get().scan(event.kind === 'product' ? (event.code ?? event.raw) : event.raw);
      },

      scan: async (raw) => {
        const code = raw.trim();
        if (!code) return;
        set({ busy: true });
        const result = await api.call('checkout', 'scan', { code });
        if (!result.ok) {
          apply(result, code);
          return;
        }
        const outcome = result.value;
        // A scan after a finished sale starts the next customer's.
        set({ cart: outcome.cart, busy: false, message: undefined, lastSale: undefined });
        if (outcome.kind === 'receipt') set({ message: { kind: 'receipt', receiptNo: outcome.receiptNo } });
        if (outcome.kind === 'payment' && outcome.cart.totals.dueFen > 0) {
          const paid = await get().addTender({ method: 'mobile', code: outcome.code });
          if (paid && get().cart?.canComplete) await get().complete();
        }
      },

      setQty: (lineId, qty) => run(() => api.call('checkout', 'setQty', { lineId, qty })),
      removeLine: (lineId) => run(() => api.call('checkout', 'removeLine', { lineId })),
      lineDiscount: (lineId, discount) =>
        approved('discount', (token) =>
          api.call('checkout', 'lineDiscount', token ? { lineId, discount, approvalToken: token } : { lineId, discount }),
        ),
      priceOverride: (lineId, unitFen, reason) =>
        approved('price_override', (token) =>
          api.call('checkout', 'priceOverride', token ? { lineId, unitFen, reason, approvalToken: token } : { lineId, unitFen, reason }),
        ),
      clear: () => run(() => api.call('checkout', 'clear', {})),
      park: async (note) => {
        const ok = await run(() => api.call('checkout', 'park', { note }));
        if (ok) set({ message: { kind: 'parked' }, parked: undefined });
        return ok;
      },
      loadParked: async () => {
        const result = await api.call('checkout', 'parked', {});
        if (result.ok) set({ parked: result.value });
        else set({ message: { kind: 'error', error: result.error } });
      },
      resume: async (parkedId) => {
        const ok = await run(() => api.call('checkout', 'resume', { parkedId }));
        if (ok) set({ parked: undefined });
        return ok;
      },
      identifyMember: (input) => run(() => api.call('checkout', 'identifyMember', input), 'code' in input ? input.code : input.phone),
      removeMember: () => run(() => api.call('checkout', 'removeMember', {})),
      applyCoupon: (code) => run(() => api.call('checkout', 'applyCoupon', { code })),
      removeCoupon: (code) => run(() => api.call('checkout', 'removeCoupon', { code })),
      redeemPoints: (points) => run(() => api.call('checkout', 'redeemPoints', { points })),
      addTender: (tender) => run(() => api.call('checkout', 'addTender', tender)),
      removeTender: (tenderId) =>
        approved('void_tender', (token) => api.call('checkout', 'removeTender', token ? { tenderId, approvalToken: token } : { tenderId })),

      complete: async (options = {}) => {
        const finish = (result: Result<SaleResult>): boolean => {
          if (!result.ok) {
            set({ busy: false, message: { kind: 'error', error: result.error } });
            return false;
          }
          set({
            busy: false,
            cart: result.value.cart,
            lastSale: result.value,
            message: undefined,
            returnSale: undefined,
            memberSales: undefined,
          });
          return true;
        };
        if (!options.cashInstead) {
          set({ busy: true });
          return finish(await api.call('checkout', 'complete', {}));
        }
        // A refund in cash instead of back to the card or mobile payment: a manager approves it.
        return withApproval(
          session,
          'cash_refund',
          (token) => api.call('checkout', 'complete', token ? { cashInstead: true, approvalToken: token } : { cashInstead: true }),
          { setBusy: (busy) => set({ busy }), cancelled: () => set({ message: { kind: 'approval-cancelled' } }), apply: finish },
        );
      },

      findSale: async (raw) => {
        const receiptNo = raw.trim();
        if (!receiptNo) return false;
        set({ busy: true });
        const result = await api.call('returns', 'find', { receiptNo });
        if (!result.ok) {
          const message: CartMessage =
            result.error.code === 'NOT_FOUND'
              ? { kind: 'receipt-not-found', receiptNo }
              : { kind: 'error', error: result.error, query: receiptNo };
          set({ busy: false, message });
          return false;
        }
        set({ busy: false, returnSale: result.value, message: undefined, lastSale: undefined });
        return true;
      },
      loadMemberSales: async (memberId) => {
        const result = await api.call('sales', 'byMember', { memberId });
        if (result.ok) set({ memberSales: result.value });
        else set({ message: { kind: 'error', error: result.error } });
      },
      startReturn: (receiptNo) => run(() => api.call('returns', 'start', { receiptNo }), receiptNo),
      setReturnQty: (saleLineId, qty) => run(() => api.call('returns', 'setQty', { saleLineId, qty })),
      noReceiptReturn: (sku, qty) =>
        approved('no_receipt_return', (token) =>
          api.call('returns', 'noReceipt', token ? { sku, qty, approvalToken: token } : { sku, qty }),
        ),
      cancelReturn: async () => {
        const ok = await run(() => api.call('returns', 'cancel', {}));
        if (ok) set({ returnSale: undefined });
        return ok;
      },

      nextCustomer: () => set({ lastSale: undefined, message: undefined }),
      dismissMessage: () => set({ message: undefined }),
    };
  });

  api.on('cart.changed', (cart) => store.setState({ cart }));
  // The cart belongs to whoever logs in next: reload it whenever the session changes.
  session.subscribe((s, prev) => {
    if (s.session?.state === 'active' && prev.session?.state !== 'active') void store.getState().load();
  });
  return store;
}
