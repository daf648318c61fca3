import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, LookupResult, ScanEvent, StyleSummary, StyleView } from '../../api/contract.js';

export type LookupView =
  | { kind: 'empty' }
  | { kind: 'results'; query: string; styles: StyleSummary[]; truncated: boolean }
  /** `sku` undefined: the style is shown with no size picked (matrix only). */
  | { kind: 'product'; style: StyleView; sku: string | undefined; fromResults: boolean };

/** Kept as data, not text, so a banner re-renders in the new language after a switch. */
export type LookupMessage =
  | { kind: 'error'; error: ApiError; query?: string }
  | { kind: 'no-results'; query: string }
  | { kind: 'scan-malformed'; raw: string; reason: ScanEvent['reason'] }
  | { kind: 'scan-unknown'; raw: string }
  | { kind: 'scan-submit-failed'; error: ApiError };

export type LookupState = {
  view: LookupView;
  /** The last result list, so a product opened from it can go back. */
  results: Extract<LookupView, { kind: 'results' }> | undefined;
  busy: boolean;
  message: LookupMessage | undefined;
  /** The last product scan, for the "scanned ✓" flash. */
  flash: { id: string; code: string } | undefined;
  lookup: (query: string) => Promise<void>;
  openStyle: (styleCode: string) => Promise<void>;
  selectSku: (sku: string) => void;
  backToResults: () => void;
  handleScan: (event: ScanEvent) => Promise<void>;
  scanSubmitFailed: (error: ApiError) => void;
  dismissMessage: () => void;
  clearFlash: (id: string) => void;
};

function viewOf(result: LookupResult, query: string): LookupView {
  switch (result.match) {
    case 'sku':
      return { kind: 'product', style: result.style, sku: result.sku.sku, fromResults: false };
    case 'style':
      return { kind: 'product', style: result.style, sku: undefined, fromResults: false };
    case 'search':
      return { kind: 'results', query, styles: result.styles, truncated: result.truncated };
  }
}

/** The product lookup screen's state. Scans and typed queries go through the same `lookup`. */
export function createLookupStore(api: Api): StoreApi<LookupState> {
  // Only the newest request may change the screen: a slow answer to an older scan is dropped.
  let latest = 0;

  return createStore<LookupState>()((set, get) => ({
    view: { kind: 'empty' },
    results: undefined,
    busy: false,
    message: undefined,
    flash: undefined,

    lookup: async (raw) => {
      const query = raw.trim();
      if (!query) return;
      const seq = ++latest;
      set({ busy: true, message: undefined });
      const result = await api.call('catalog', 'lookup', { query });
      if (seq !== latest) return;
      if (!result.ok) {
        // Clear the old card: it must not look like the answer to this query.
        set({ busy: false, view: { kind: 'empty' }, message: { kind: 'error', error: result.error, query } });
        return;
      }
      const view = viewOf(result.value, query);
      if (view.kind === 'results') {
        set({
          busy: false,
          view,
          results: view,
          message: view.styles.length === 0 ? { kind: 'no-results', query } : undefined,
        });
      } else {
        set({ busy: false, view });
      }
    },

    openStyle: async (styleCode) => {
      const seq = ++latest;
      set({ busy: true, message: undefined });
      const result = await api.call('catalog', 'style', { styleCode });
      if (seq !== latest) return;
      if (!result.ok) {
        set({ busy: false, message: { kind: 'error', error: result.error } });
        return;
      }
      set({ busy: false, view: { kind: 'product', style: result.value, sku: undefined, fromResults: true } });
    },

    selectSku: (sku) => {
      const view = get().view;
      if (view.kind !== 'product' || !view.style.skus.some((s) => s.sku === sku)) return;
      set({ view: { ...view, sku } });
    },

    backToResults: () => {
      const results = get().results;
      if (results) set({ view: results, message: undefined });
    },

    handleScan: async (event) => {
      switch (event.kind) {
        case 'product': {
          const code = event.code ?? event.raw;
          set({ flash: { id: event.id, code } });
          await get().lookup(code);
          return;
        }
        case 'malformed':
          latest++; // a pending lookup must not hide this message
          set({ busy: false, message: { kind: 'scan-malformed', raw: event.raw, reason: event.reason } });
          return;
        case 'unknown':
          latest++;
          set({ busy: false, message: { kind: 'scan-unknown', raw: event.raw } });
          return;
      }
    },

    scanSubmitFailed: (error) => set({ message: { kind: 'scan-submit-failed', error } }),
    dismissMessage: () => set({ message: undefined }),
    clearFlash: (id) => {
      if (get().flash?.id === id) set({ flash: undefined });
    },
  }));
}
