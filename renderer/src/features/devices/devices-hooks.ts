import { useStore } from 'zustand';
import { useServices } from '../../app/services.js';
import type { DevicesState } from './devices-store.js';
import type { DevicesWedgeState } from './devices-wedge-store.js';

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useDevices<T>(selector: (state: DevicesState) => T): T {
  return useStore(useServices().devices, selector);
}

export function useDevicesWedge<T>(selector: (state: DevicesWedgeState) => T): T {
  return useStore(useServices().devicesWedge, selector);
}
