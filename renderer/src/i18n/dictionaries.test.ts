import { describe, expect, it } from 'vitest';
import { appEn } from '../app/app.en.js';
import { appZhCN } from '../app/app.zh-CN.js';
import { cashupEn } from '../features/cashup/cashup.en.js';
import { cashupZhCN } from '../features/cashup/cashup.zh-CN.js';
import { customersEn } from '../features/customers/customers.en.js';
import { customersZhCN } from '../features/customers/customers.zh-CN.js';
import { checkoutEn } from '../features/checkout/checkout.en.js';
import { checkoutZhCN } from '../features/checkout/checkout.zh-CN.js';
import { devicesEn } from '../features/devices/devices.en.js';
import { devicesZhCN } from '../features/devices/devices.zh-CN.js';
import { lookupEn } from '../features/lookup/lookup.en.js';
import { lookupZhCN } from '../features/lookup/lookup.zh-CN.js';
import { returnsEn } from '../features/returns/returns.en.js';
import { returnsZhCN } from '../features/returns/returns.zh-CN.js';
import { sessionEn } from '../features/session/session.en.js';
import { sessionZhCN } from '../features/session/session.zh-CN.js';
import { syncEn } from '../features/sync/sync.en.js';
import { syncZhCN } from '../features/sync/sync.zh-CN.js';
import { uiEn } from '../ui/ui.en.js';
import { uiZhCN } from '../ui/ui.zh-CN.js';
import { errorEn } from './error.en.js';
import { errorZhCN } from './error.zh-CN.js';
import { zhCN } from './zh-CN.js';

type Texts = Readonly<Record<string, string>>;

/** Each dictionary file pair, by the name its keys start with. */
const FILES: Record<string, [zh: Texts, en: Texts]> = {
  app: [appZhCN, appEn],
  error: [errorZhCN, errorEn],
  ui: [uiZhCN, uiEn],
  lookup: [lookupZhCN, lookupEn],
  session: [sessionZhCN, sessionEn],
  checkout: [checkoutZhCN, checkoutEn],
  returns: [returnsZhCN, returnsEn],
  cashup: [cashupZhCN, cashupEn],
  devices: [devicesZhCN, devicesEn],
  sync: [syncZhCN, syncEn],
  customers: [customersZhCN, customersEn],
};

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe.each(Object.entries(FILES))('%s texts', (name, [zh, en]) => {
  it('give every English text the same {placeholders} as its Chinese one', () => {
    const wrong = Object.entries(zh)
      .filter(([key, text]) => placeholders(text).join() !== placeholders(en[key] ?? '').join())
      .map(([key]) => key);
    expect(wrong).toEqual([]);
  });

  it('leave no text empty', () => {
    expect(Object.entries(en).filter(([, text]) => !text.trim())).toEqual([]);
    expect(Object.entries(zh).filter(([, text]) => !text.trim())).toEqual([]);
  });

  it(`start every key with "${name}."`, () => {
    expect(Object.keys(zh).filter((key) => !key.startsWith(`${name}.`))).toEqual([]);
  });
});

describe('the assembled dictionary', () => {
  it('holds every key of every file once: no file overrides another’s text', () => {
    const total = Object.values(FILES).reduce((sum, [zh]) => sum + Object.keys(zh).length, 0);
    expect(Object.keys(zhCN)).toHaveLength(total);
  });
});
