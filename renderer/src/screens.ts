import type { ComponentType } from 'react';
import { LookupScreen } from './components/LookupScreen.js';
import type { MessageKey } from './i18n/translate.js';

/**
 * The screens of the terminal, in tab order. Only the active screen is mounted, so only it
 * receives scans (each screen subscribes to `scanned` while mounted). Add a screen: a line here.
 */
export const SCREENS = [{ id: 'lookup', label: 'nav.lookup', component: LookupScreen }] as const satisfies readonly {
  id: string;
  label: MessageKey;
  component: ComponentType;
}[];

export type ScreenId = (typeof SCREENS)[number]['id'];
