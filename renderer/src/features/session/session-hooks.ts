import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { SessionStoreState } from './session-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useSession<T>(selector: (state: SessionStoreState) => T): T {
  return useStore(useServices().session, selector);
}
