import type { devicesZhCN } from './devices.zh-CN.js';

/** Texts of the devices screens, English: exactly the keys of the Chinese ones. */
export const devicesEn: { readonly [K in keyof typeof devicesZhCN]: string } = {};
