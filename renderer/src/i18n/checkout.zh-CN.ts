/** Texts of the checkout screens, Simplified Chinese (the reference: keys and {placeholders}). */
export const checkoutZhCN = {} as const satisfies Record<string, string>;
