import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { TillStoreState } from './till-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useTill<T>(selector: (state: TillStoreState) => T): T {
  return useStore(useServices().till, selector);
}
