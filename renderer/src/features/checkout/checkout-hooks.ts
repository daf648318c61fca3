import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { CartStoreState } from './cart-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useCart<T>(selector: (state: CartStoreState) => T): T {
  return useStore(useServices().cart, selector);
}

/**
 * One shared empty list for selectors (`s.cart?.lines ?? NONE`): a fresh `[]` per call would
 * be a new value on every render, and zustand would re-render forever.
 */
export const NONE: readonly never[] = Object.freeze([]);
