import { z } from 'zod';

/**
 * Field types every event schema uses. Money is integer fen (bounded so a typo or an attack cannot
 * overflow a sum at HQ); ids are the device's or HQ's text ids.
 */
export const fen = z.number().int().min(-1e12).max(1e12);
export const id = z.string().min(1).max(64);
/**
 * zod's ISO forms take the year 0000 (ISO 8601's 1 BC); PostgreSQL's date and timestamptz have no
 * year 0 and refuse it. A payload date in it passed HQ's push, was answered `accepted`, and then
 * failed the projection: the sale went to HQ's dead letters, off the till it could be read on.
 */
export function fromYearOne(isoText: string): boolean {
  return !isoText.startsWith('0000');
}
const YEAR_ZERO = 'the year 0000 is before the year 1, which HQ cannot store';
export const iso = z.iso.datetime().refine(fromYearOne, YEAR_ZERO);
export const isoDate = z.iso.date().refine(fromYearOne, YEAR_ZERO);
export const count = z.number().int().min(0).max(1e9);
