import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createTranslate } from '../i18n/translate.js';
import type { Translate } from '../i18n/translate.js';
import type { Api } from '../api/api-client.js';
import type { AppState } from './app-store.js';
import type { LookupState } from '../features/lookup/lookup-store.js';
import type { DevicesState } from '../features/devices/devices-store.js';
import type { DevicesWedgeState } from '../features/devices/devices-wedge-store.js';
import type { SessionStoreState } from '../features/session/session-store.js';
import type { CartStoreState } from '../features/checkout/cart-store.js';
import type { TillStoreState } from '../features/cashup/till-store.js';
import type { CustomersState } from '../features/customers/customers-store.js';

/** Everything the screens use, created once at start-up (main.tsx) and passed down by context. */
export type Services = {
  api: Api;
  app: StoreApi<AppState>;
  lookup: StoreApi<LookupState>;
  devices: StoreApi<DevicesState>;
  devicesWedge: StoreApi<DevicesWedgeState>;
  session: StoreApi<SessionStoreState>;
  cart: StoreApi<CartStoreState>;
  till: StoreApi<TillStoreState>;
  customers: StoreApi<CustomersState>;
};

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext>');
  return services;
}

/** Select primitives or stable references: zustand re-renders when the selected value changes. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useServices().app, selector);
}

/** The store's IANA time zone once the status is known (times are shown in store-local time). */
export function useStoreTimeZone(): string | undefined {
  return useApp((s) => (s.status?.state === 'ready' ? s.status.store.timezone : undefined));
}

export function useT(): Translate {
  const language = useApp((s) => s.language);
  return useMemo(() => createTranslate(language), [language]);
}
