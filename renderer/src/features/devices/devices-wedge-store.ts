import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, ScanEvent, Settings, WedgeSettings } from '../../api/contract.js';
import { fieldErrorsOf, LOCAL_NOT_A_NUMBER, parseWholeNumber } from '../../ui/field-errors.js';
import type { FieldErrors } from '../../ui/field-errors.js';

/** The wedge form as typed: numbers stay text until saved, so a half-typed value is not lost. */
export type WedgeDraft = {
  maxInterKeyMs: string;
  minLength: string;
  terminator: WedgeSettings['terminator'];
  prefix: string;
  suffix: string;
};

export type SaveState = 'idle' | 'saving' | 'saved';

/** How many test scans the screen keeps: enough to compare a few, short enough to read at a glance. */
export const SCAN_LOG_SIZE = 8;

export type DevicesWedgeState = {
  draft: WedgeDraft | undefined;
  /** Field problems, keyed by the wedge field name; `local` ones were caught before sending. */
  fieldErrors: FieldErrors;
  saveState: SaveState;
  /** The form differs from what main has: settings arriving from main must not overwrite it. */
  dirty: boolean;
  error: ApiError | undefined;
  /** Newest first. */
  scans: ScanEvent[];
  kioskSaving: boolean;
  /** Loads the form from the terminal's settings (on mount, and when another screen changed them). */
  load: (settings: Settings) => void;
  edit: (patch: Partial<WedgeDraft>) => void;
  save: () => Promise<void>;
  setKiosk: (kiosk: boolean) => Promise<void>;
  recordScan: (scan: ScanEvent) => void;
  clearScans: () => void;
  dismissError: () => void;
};

export function draftOf(wedge: WedgeSettings): WedgeDraft {
  return { ...wedge, maxInterKeyMs: String(wedge.maxInterKeyMs), minLength: String(wedge.minLength) };
}

/**
 * The keyboard-wedge part of the device settings: thresholds (saved through `settings.update`,
 * which main validates and audits), the kiosk switch, and a log of test scans from `scanned`.
 * Main announces every saved change as `settings.changed`, which the app store (and through it
 * the running detector) follows; this store only keeps the form.
 */
export function createDevicesWedgeStore(api: Api): StoreApi<DevicesWedgeState> {
  return createStore<DevicesWedgeState>()((set, get) => ({
    draft: undefined,
    fieldErrors: {},
    saveState: 'idle',
    dirty: false,
    error: undefined,
    scans: [],
    kioskSaving: false,

    load: (settings) => {
      // Never overwrite what the user is typing: only a clean form follows main.
      if (get().dirty) return;
      set({ draft: draftOf(settings.wedge) });
    },

    edit: (patch) => {
      const draft = get().draft;
      if (!draft) return;
      const fieldErrors = { ...get().fieldErrors };
      for (const key of Object.keys(patch)) delete fieldErrors[key];
      set({ draft: { ...draft, ...patch }, fieldErrors, saveState: 'idle', dirty: true });
    },

    save: async () => {
      const draft = get().draft;
      if (!draft) return;
      const maxInterKeyMs = parseWholeNumber(draft.maxInterKeyMs);
      const minLength = parseWholeNumber(draft.minLength);
      const local: Record<string, string> = {};
      if (maxInterKeyMs === undefined) local.maxInterKeyMs = LOCAL_NOT_A_NUMBER;
      if (minLength === undefined) local.minLength = LOCAL_NOT_A_NUMBER;
      if (maxInterKeyMs === undefined || minLength === undefined) {
        set({ fieldErrors: local, saveState: 'idle' });
        return;
      }
      set({ saveState: 'saving', error: undefined, fieldErrors: {} });
      const result = await api.call('settings', 'update', {
        wedge: { maxInterKeyMs, minLength, terminator: draft.terminator, prefix: draft.prefix, suffix: draft.suffix },
      });
      if (!result.ok) {
        const fieldErrors = fieldErrorsOf(result.error, 'wedge');
        // A field problem is shown at its field; anything else as a banner.
        set({ saveState: 'idle', fieldErrors, error: Object.keys(fieldErrors).length > 0 ? undefined : result.error });
        return;
      }
      set({ saveState: 'saved', dirty: false, draft: draftOf(result.value.wedge) });
    },

    setKiosk: async (kiosk) => {
      set({ kioskSaving: true, error: undefined });
      const result = await api.call('settings', 'update', { kiosk });
      set({ kioskSaving: false });
      if (!result.ok) set({ error: result.error });
    },

    recordScan: (scan) => {
      if (get().scans.some((s) => s.id === scan.id)) return;
      set({ scans: [scan, ...get().scans].slice(0, SCAN_LOG_SIZE) });
    },
    clearScans: () => set({ scans: [] }),
    dismissError: () => set({ error: undefined }),
  }));
}
