/** Texts of the devices screens, Simplified Chinese (the reference: keys and {placeholders}). */
export const devicesZhCN = {} as const satisfies Record<string, string>;
