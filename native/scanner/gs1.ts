import { aimIdentifierOf } from './aim.js';
import { hasValidCheckDigit } from './barcode.js';

/**
 * GS1 element strings as scanners send them: a GS1 symbology identifier (`]C1` GS1-128, `]d2` GS1
 * DataMatrix, `]Q3` GS1 QR, `]e0` GS1 DataBar, `]J1` GS1 DotCode — see aim.ts), then application
 * identifiers (AI) with their data; a variable-length field ends at GS (0x1d, FNC1) or at the end.
 * The AI table covers the identifiers found on apparel and retail labels; an AI not in it makes the
 * string malformed, because without its length the rest cannot be read.
 */

/** [AI prefix, AI length, fixed data length | null, max data length] */
const AIS: [string, number, number | null, number][] = [
  ['00', 2, 18, 18],
  ['01', 2, 14, 14],
  ['02', 2, 14, 14],
  ['10', 2, null, 20],
  ['11', 2, 6, 6],
  ['12', 2, 6, 6],
  ['13', 2, 6, 6],
  ['15', 2, 6, 6],
  ['16', 2, 6, 6],
  ['17', 2, 6, 6],
  ['20', 2, 2, 2],
  ['21', 2, null, 20],
  ['22', 2, null, 20],
  ['30', 2, null, 8],
  ['37', 2, null, 8],
  ['90', 2, null, 30],
  ['91', 2, null, 90],
  ['92', 2, null, 90],
  ['93', 2, null, 90],
  ['94', 2, null, 90],
  ['95', 2, null, 90],
  ['96', 2, null, 90],
  ['97', 2, null, 90],
  ['98', 2, null, 90],
  ['99', 2, null, 90],
  ['240', 3, null, 30],
  ['241', 3, null, 30],
  ['250', 3, null, 30],
  ['251', 3, null, 30],
  ['253', 3, null, 30],
  ['254', 3, null, 20],
  ['400', 3, null, 30],
  ['401', 3, null, 30],
  ['402', 3, 17, 17],
  ['403', 3, null, 30],
  ['410', 3, 13, 13],
  ['411', 3, 13, 13],
  ['412', 3, 13, 13],
  ['413', 3, 13, 13],
  ['414', 3, 13, 13],
  ['420', 3, null, 20],
  ['421', 3, null, 12],
  ['422', 3, 3, 3],
  ['31', 4, 6, 6],
  ['32', 4, 6, 6],
  ['33', 4, 6, 6],
  ['34', 4, 6, 6],
  ['35', 4, 6, 6],
  ['36', 4, 6, 6],
  ['390', 4, null, 15],
  ['391', 4, null, 18],
  ['392', 4, null, 15],
  ['393', 4, null, 18],
  ['7003', 4, 10, 10],
  ['8005', 4, 6, 6],
  ['8006', 4, 18, 18],
  ['8018', 4, 18, 18],
  ['8020', 4, null, 25],
  ['8200', 4, null, 70],
];

const GS = '\x1d';

export type Gs1Result =
  { ok: true; fields: { ai: string; value: string }[]; gtin14?: string } | { ok: false; reason: 'bad_length' | 'bad_check_digit' };

/** True when a scan carries a GS1 symbology identifier. */
export function isGs1(text: string): boolean {
  return aimIdentifierOf(text)?.gs1 ?? false;
}

/** Reads a GS1 element string (with its `]C1`-style prefix). Never throws. */
export function parseGs1(text: string): Gs1Result {
  return parseGs1Data(text.slice(3));
}

/** Reads the data of a GS1 element string, its symbology identifier already taken off. Never throws. */
export function parseGs1Data(data: string): Gs1Result {
  let rest = data;
  // A leading FNC1 after the identifier is allowed and means nothing.
  while (rest.startsWith(GS)) rest = rest.slice(1);
  const fields: { ai: string; value: string }[] = [];
  while (rest.length > 0) {
    const def = AIS.find(([prefix]) => rest.startsWith(prefix));
    if (!def) return { ok: false, reason: 'bad_length' };
    const [, aiLength, fixed, max] = def;
    const ai = rest.slice(0, aiLength);
    if (!/^\d+$/.test(ai) || ai.length < aiLength) return { ok: false, reason: 'bad_length' };
    rest = rest.slice(aiLength);
    let value: string;
    if (fixed !== null) {
      value = rest.slice(0, fixed);
      if (value.length !== fixed || value.includes(GS)) return { ok: false, reason: 'bad_length' };
      rest = rest.slice(fixed);
    } else {
      const end = rest.indexOf(GS);
      value = end < 0 ? rest : rest.slice(0, end);
      rest = end < 0 ? '' : rest.slice(end);
      if (value.length === 0 || value.length > max) return { ok: false, reason: 'bad_length' };
    }
    // Fixed fields may be followed by a (redundant) separator.
    while (rest.startsWith(GS)) rest = rest.slice(1);
    fields.push({ ai, value });
  }
  if (fields.length === 0) return { ok: false, reason: 'bad_length' };
  for (const f of fields) {
    if ((f.ai === '00' || f.ai === '01' || f.ai === '02' || /^41[0-4]$/.test(f.ai)) && !/^\d+$/.test(f.value))
      return { ok: false, reason: 'bad_length' };
    if ((f.ai === '00' || f.ai === '01' || f.ai === '02') && !hasValidCheckDigit(f.value)) return { ok: false, reason: 'bad_check_digit' };
  }
  const gtin = fields.find((f) => f.ai === '01')?.value;
  return gtin ? { ok: true, fields, gtin14: gtin } : { ok: true, fields };
}
