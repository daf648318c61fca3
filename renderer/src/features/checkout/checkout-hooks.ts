import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { CartStoreState } from './cart-store.js';
import type { SessionStoreState } from '../session/session-store.js';
import type { TillStoreState } from '../cashup/till-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useSession<T>(selector: (state: SessionStoreState) => T): T {
  return useStore(useServices().session, selector);
}

export function useCart<T>(selector: (state: CartStoreState) => T): T {
  return useStore(useServices().cart, selector);
}

export function useTill<T>(selector: (state: TillStoreState) => T): T {
  return useStore(useServices().till, selector);
}

/**
 * One shared empty list for selectors (`s.cart?.lines ?? NONE`): a fresh `[]` per call would
 * be a new value on every render, and zustand would re-render forever.
 */
export const NONE: readonly never[] = Object.freeze([]);
