import type { ComponentType } from 'react';
import { LookupScreen } from '../features/lookup/LookupScreen.js';
import { DevicesScreen } from '../features/devices/DevicesScreen.js';
import { CashupScreen } from '../features/cashup/CashupScreen.js';
import { HistoryScreen } from '../features/checkout/HistoryScreen.js';
import { ReturnsScreen } from '../features/returns/ReturnsScreen.js';
import { SellScreen } from '../features/checkout/SellScreen.js';
import { SyncScreen } from '../features/sync/SyncScreen.js';
import type { MessageKey } from '../i18n/translate.js';

/**
 * The screens of the terminal, in tab order. Only the active screen is mounted, so only it
 * receives scans (each screen subscribes to `scanned` while mounted). Add a screen: a line here.
 */
export const SCREENS = [
  { id: 'lookup', label: 'nav.lookup', component: LookupScreen },
  { id: 'sell', label: 'nav.sell', component: SellScreen },
  { id: 'returns', label: 'nav.returns', component: ReturnsScreen },
  { id: 'history', label: 'nav.history', component: HistoryScreen },
  { id: 'cashup', label: 'nav.cashup', component: CashupScreen },
  { id: 'devices', label: 'nav.devices', component: DevicesScreen },
  { id: 'sync', label: 'nav.sync', component: SyncScreen },
] as const satisfies readonly {
  id: string;
  label: MessageKey;
  component: ComponentType;
}[];

export type ScreenId = (typeof SCREENS)[number]['id'];
