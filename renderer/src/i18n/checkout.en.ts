import type { checkoutZhCN } from './checkout.zh-CN.js';

/** Texts of the checkout screens, English: exactly the keys of the Chinese ones. */
export const checkoutEn: { readonly [K in keyof typeof checkoutZhCN]: string } = {};
