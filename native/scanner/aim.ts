/**
 * AIM symbology identifiers (ISO/IEC 15424): `]`, a code character naming the symbology, and a
 * modifier character for its options (check digit, Full ASCII, FNC1 position, ECI). Scanners put
 * one in front of every code once it is switched on — and stores switch it on for GS1 DataMatrix
 * and GS1-128, usually for all symbologies at once — so the till must read it, not mistake it for data.
 */

/** The symbology a scanner named, by its ISO/IEC 15424 code character. */
export type Symbology =
  | 'code39'
  | 'telepen'
  | 'code128'
  | 'code-one'
  | 'ean-upc'
  | 'codabar'
  | 'code93'
  | 'code11'
  | 'itf'
  | 'dotcode'
  | 'code16k'
  | 'pdf417'
  | 'msi'
  | 'anker'
  | 'codablock'
  | 'plessey'
  | 'qr'
  | 'straight-2of5'
  | 'code49'
  | 'maxicode'
  | 'other'
  | 'system-expansion'
  | 'non-barcode'
  | 'channel-code'
  | 'data-matrix'
  | 'gs1-databar'
  | 'grid-matrix'
  | 'han-xin'
  | 'aztec';

/** Code characters are case-sensitive: `]C` is Code 128, `]c` Channel Code; `]E` EAN/UPC, `]e` GS1 DataBar. */
const CODE_CHARACTERS: Readonly<Record<string, Symbology>> = {
  A: 'code39',
  B: 'telepen',
  C: 'code128',
  D: 'code-one',
  E: 'ean-upc',
  F: 'codabar',
  G: 'code93',
  H: 'code11',
  I: 'itf',
  J: 'dotcode',
  K: 'code16k',
  L: 'pdf417',
  M: 'msi',
  N: 'anker',
  O: 'codablock',
  P: 'plessey',
  Q: 'qr',
  // R: two-bar start/stop, S: three-bar (Industrial / IATA 2 of 5).
  R: 'straight-2of5',
  S: 'straight-2of5',
  T: 'code49',
  U: 'maxicode',
  X: 'other',
  Y: 'system-expansion',
  Z: 'non-barcode',
  c: 'channel-code',
  d: 'data-matrix',
  e: 'gs1-databar',
  g: 'grid-matrix',
  h: 'han-xin',
  z: 'aztec',
};

export type AimIdentifier = {
  /** The three characters as sent, e.g. `]E0`. */
  id: string;
  symbology: Symbology;
  modifier: string;
  /** The data is a GS1 element string (application identifiers, GS between variable fields). */
  gs1: boolean;
};

/**
 * Identifiers that announce GS1 data (GS1 General Specifications, symbology identifiers of GS1
 * data carriers): FNC1 in the first position of Code 128 (`]C1`, GS1-128), Data Matrix (`]d2`,
 * `]d5` with ECI), QR Code (`]Q3`, `]Q4` with ECI), DotCode (`]J1`); GS1 DataBar and its
 * composites carry nothing else (`]e0`…). FNC1 in the *second* position (`]C2`, `]d3`, `]Q5`) is
 * AIM's application format, not GS1.
 */
function isGs1Identifier(symbology: Symbology, modifier: string): boolean {
  switch (symbology) {
    case 'code128':
      return modifier === '1';
    case 'data-matrix':
      return modifier === '2' || modifier === '5';
    case 'qr':
      return modifier === '3' || modifier === '4';
    case 'dotcode':
      return modifier === '1';
    case 'gs1-databar':
      return true;
    default:
      return false;
  }
}

/** The AIM identifier a scan starts with, or null (an unknown code character is data, not an identifier). */
export function aimIdentifierOf(text: string): AimIdentifier | null {
  const m = /^\]([A-Za-z])([0-9A-Za-z])/.exec(text);
  if (!m) return null;
  const symbology = CODE_CHARACTERS[m[1]!];
  if (!symbology) return null;
  const modifier = m[2]!;
  return { id: m[0], symbology, modifier, gs1: isGs1Identifier(symbology, modifier) };
}
