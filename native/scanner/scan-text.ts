import { aimIdentifierOf } from './aim.js';
import type { AimIdentifier } from './aim.js';

/** A raw scan taken apart: what every consumer (products, members, coupons, receipts, payment codes) reads. */
export type ScanText = {
  /**
   * The code itself: framing control characters, the AIM identifier and surrounding spaces gone,
   * full-width ASCII as ASCII. A GS1 element string keeps its GS (FNC1) separators; other codes lose them.
   */
  text: string;
  /** The AIM identifier the scanner sent, when it sent one. */
  aim: AimIdentifier | null;
  /** `text` is a GS1 element string: the identifier said so, and nothing else may be read into it. */
  gs1: boolean;
  /** An EAN/UPC add-on (2 or 5 digits, the issue or price supplement) read together with the main symbol. */
  addOn?: string;
};

const GS = '\x1d';

/** Control characters scanners frame codes with (STX/ETX, CR/LF, TAB, NUL) and DEL; GS is data in GS1 strings. */
const FRAMING = /[\u0000-\u001c\u001e\u001f\u007f]/g;

/** Only ASCII, full-width ASCII (U+FF01–U+FF5E) and the ideographic space: a code typed or sent in full width. */
const WIDE_CODE = /^[\u0000-\u007f\uff01-\uff5e\u3000]*$/;

/**
 * Full-width letters, digits and signs as ASCII (`６９７１` → `6971`, `Ｍ` → `M`, `－` → `-`): what a
 * Chinese input method in full-width mode, or a scanner set to a Chinese keyboard layout, types.
 * Only when the scan holds nothing but (full-width) ASCII: text with Chinese in it is left exactly as
 * it is — `，` and `：` belong to a sentence there, and no code the till reads contains Chinese.
 */
function narrow(text: string): string {
  if (!WIDE_CODE.test(text)) return text;
  return text.replace(/[\uff01-\uff5e\u3000]/g, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/** A following AIM packet in an EAN/UPC scan (`]E1` / `]E2` add-on, `]C1` coupon extension): EAN/UPC data is digits only. */
const NEXT_PACKET = /\][A-Za-z][0-9A-Za-z]/;

/**
 * EAN/UPC data may come with its add-on, as a second packet (`]E0…]E112`) or combined (`]E3` and
 * 13 + 2 or 13 + 5 digits). The item is the main symbol; the add-on is kept aside.
 */
function splitEanUpc(aim: AimIdentifier, data: string): { text: string; addOn?: string } {
  const next = NEXT_PACKET.exec(data);
  if (next) {
    const text = data.slice(0, next.index);
    const packet = data.slice(next.index);
    const addOn = /^\]E[12](\d{2}|\d{5})$/.exec(packet)?.[1];
    return addOn ? { text, addOn } : { text };
  }
  if (aim.modifier === '3' && /^\d{15}$|^\d{18}$/.test(data)) return { text: data.slice(0, 13), addOn: data.slice(13) };
  return { text: data };
}

/**
 * Takes a raw scan apart: strips framing, narrows full-width characters, reads and removes a leading
 * AIM identifier. Never throws. An identifier of a symbology that is not GS1 changes nothing about
 * the code — `]E06901234567892` and `6901234567892` give the same text — except that an EAN/UPC
 * add-on it marks out is set aside.
 */
export function readScanText(raw: string): ScanText {
  const body = narrow(raw.replace(FRAMING, '')).trim();
  const aim = aimIdentifierOf(body);
  const data = aim ? body.slice(aim.id.length) : body;
  if (aim?.gs1) return { text: data.trim(), aim, gs1: true };
  const plain = data.replaceAll(GS, '').trim();
  if (aim?.symbology === 'ean-upc') return { ...splitEanUpc(aim, plain), aim, gs1: false };
  return { text: plain, aim, gs1: false };
}
