/**
 * Simplified Chinese, the default language and the reference dictionary: its keys (and the
 * `{placeholders}` in its texts) define what every other language must provide. Each feature keeps
 * its texts beside its code (`features/<feature>/<feature>.zh-CN.ts`) under keys that start with the
 * feature's name; the app shell's start with `app.`, the shared kit's with `ui.`, the API error
 * codes' with `error.` (dictionaries.test.ts holds every file to that).
 */
import { appZhCN } from '../app/app.zh-CN.js';
import { errorZhCN } from './error.zh-CN.js';
import { uiZhCN } from '../ui/ui.zh-CN.js';
import { lookupZhCN } from '../features/lookup/lookup.zh-CN.js';
import { sessionZhCN } from '../features/session/session.zh-CN.js';
import { checkoutZhCN } from '../features/checkout/checkout.zh-CN.js';
import { returnsZhCN } from '../features/returns/returns.zh-CN.js';
import { cashupZhCN } from '../features/cashup/cashup.zh-CN.js';
import { devicesZhCN } from '../features/devices/devices.zh-CN.js';
import { syncZhCN } from '../features/sync/sync.zh-CN.js';
import { customersZhCN } from '../features/customers/customers.zh-CN.js';

export const zhCN = {
  ...appZhCN,
  ...errorZhCN,
  ...uiZhCN,
  ...lookupZhCN,
  ...sessionZhCN,
  ...checkoutZhCN,
  ...returnsZhCN,
  ...cashupZhCN,
  ...devicesZhCN,
  ...syncZhCN,
  ...customersZhCN,
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;

/** Another language: exactly the same keys, no more, no fewer. */
export type Dictionary = { readonly [K in MessageKey]: string };
