import { appEn } from '../app/app.en.js';
import { errorEn } from './error.en.js';
import { uiEn } from '../ui/ui.en.js';
import { lookupEn } from '../features/lookup/lookup.en.js';
import { sessionEn } from '../features/session/session.en.js';
import { checkoutEn } from '../features/checkout/checkout.en.js';
import { returnsEn } from '../features/returns/returns.en.js';
import { cashupEn } from '../features/cashup/cashup.en.js';
import { devicesEn } from '../features/devices/devices.en.js';
import { syncEn } from '../features/sync/sync.en.js';
import { customersEn } from '../features/customers/customers.en.js';
import type { Dictionary } from './zh-CN.js';

export const en: Dictionary = {
  ...appEn,
  ...errorEn,
  ...uiEn,
  ...lookupEn,
  ...sessionEn,
  ...checkoutEn,
  ...returnsEn,
  ...cashupEn,
  ...devicesEn,
  ...syncEn,
  ...customersEn,
};
