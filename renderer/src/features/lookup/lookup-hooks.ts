import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { LookupState } from './lookup-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useLookup<T>(selector: (state: LookupState) => T): T {
  return useStore(useServices().lookup, selector);
}
