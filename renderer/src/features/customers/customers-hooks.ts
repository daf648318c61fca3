import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { CustomersState } from './customers-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useCustomers<T>(selector: (state: CustomersState) => T): T {
  return useStore(useServices().customers, selector);
}
