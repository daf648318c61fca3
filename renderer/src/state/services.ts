import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createTranslate } from '../i18n/translate.js';
import type { Translate } from '../i18n/translate.js';
import type { Api } from '../api/api-client.js';
import type { AppState } from './app-store.js';
import type { LookupState } from './lookup-store.js';

/** Everything the screens use, created once at start-up (main.tsx) and passed down by context. */
export type Services = {
  api: Api;
  app: StoreApi<AppState>;
  lookup: StoreApi<LookupState>;
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

export function useLookup<T>(selector: (state: LookupState) => T): T {
  return useStore(useServices().lookup, selector);
}

export function useT(): Translate {
  const language = useApp((s) => s.language);
  return useMemo(() => createTranslate(language), [language]);
}
