import type { ComponentType } from 'react';
import { LookupScreen } from '../features/lookup/LookupScreen.js';
import { DevicesScreen } from '../features/devices/DevicesScreen.js';
import { CashupScreen } from '../features/cashup/CashupScreen.js';
import { HistoryScreen } from '../features/checkout/HistoryScreen.js';
import { ReturnsScreen } from '../features/returns/ReturnsScreen.js';
import { SellScreen } from '../features/checkout/SellScreen.js';
import { SyncScreen } from '../features/sync/SyncScreen.js';
import { CustomersScreen } from '../features/customers/CustomersScreen.js';
import type { MessageKey } from '../i18n/translate.js';

/**
 * The screens of the terminal, in tab order. Only the active screen is mounted, so only it
 * receives scans (each screen subscribes to `scanned` while mounted). Add a screen: a line here.
 */
export const SCREENS = [
  { id: 'lookup', label: 'app.nav.lookup', component: LookupScreen },
  { id: 'customers', label: 'customers.nav', component: CustomersScreen }, // the customer book (issue 11)
  { id: 'sell', label: 'app.nav.sell', component: SellScreen },
  { id: 'returns', label: 'app.nav.returns', component: ReturnsScreen },
  { id: 'history', label: 'app.nav.history', component: HistoryScreen },
  { id: 'cashup', label: 'app.nav.cashup', component: CashupScreen },
  { id: 'devices', label: 'app.nav.devices', component: DevicesScreen },
  { id: 'sync', label: 'app.nav.sync', component: SyncScreen },
] as const satisfies readonly {
  id: string;
  label: MessageKey;
  component: ComponentType;
}[];

export type ScreenId = (typeof SCREENS)[number]['id'];
