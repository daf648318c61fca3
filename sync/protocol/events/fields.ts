import { z } from 'zod';

/**
 * Field types every event schema uses. Money is integer fen (bounded so a typo or an attack cannot
 * overflow a sum at HQ); ids are the device's or HQ's text ids.
 */
export const fen = z.number().int().min(-1e12).max(1e12);
export const id = z.string().min(1).max(64);
export const iso = z.iso.datetime();
export const count = z.number().int().min(0).max(1e9);
