/**
 * GTIN arithmetic shared by the catalog, the scan classifier and the sample-data generator.
 * EAN-13, UPC-A (12 digits) and EAN-8 all use the same mod-10 check digit with weights 3/1
 * counted from the right.
 */

/** The check digit for the digits that precede it. */
export function gtinCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error(`not digits: ${body}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidCheckDigit(code: string): boolean {
  return /^\d{2,}$/.test(code) && gtinCheckDigit(code.slice(0, -1)) === Number(code.at(-1));
}

/** Appends the check digit: `makeEan13('690123456789')` → 13 digits. */
export function withCheckDigit(body: string): string {
  return body + String(gtinCheckDigit(body));
}

export type Gtin =
  | { ok: true; symbology: 'ean13' | 'upca' | 'ean8'; /** EAN-13 form (UPC-A gains a leading 0); EAN-8 stays 8 digits. */ code: string }
  | { ok: false; reason: 'not_digits' | 'bad_length' | 'bad_check_digit' };

/** Parses a product barcode: checks length and check digit, normalises UPC-A to EAN-13. */
export function parseGtin(raw: string): Gtin {
  if (!/^\d+$/.test(raw)) return { ok: false, reason: 'not_digits' };
  if (raw.length !== 8 && raw.length !== 12 && raw.length !== 13) return { ok: false, reason: 'bad_length' };
  if (!hasValidCheckDigit(raw)) return { ok: false, reason: 'bad_check_digit' };
  if (raw.length === 12) return { ok: true, symbology: 'upca', code: '0' + raw };
  if (raw.length === 8) return { ok: true, symbology: 'ean8', code: raw };
  return { ok: true, symbology: 'ean13', code: raw };
}

/**
 * The item a GTIN-14 with indicator digit 0 stands for, in the form parseGtin gives: a GTIN-13 or a
 * UPC-A (`00` + 12 digits) as 13 digits, a GTIN-8 (right-justified behind six zeros; GS1 keeps
 * GTIN-12/13 prefixes that start that way out of use so the two cannot clash) as its 8 digits. Indicators 1–8 are cases and
 * cartons of the item, 9 a variable-measure item: GS1 forbids deriving the item from them.
 */
export function itemCodeOfGtin14(gtin14: string): string {
  return gtin14.startsWith('000000') ? gtin14.slice(6) : gtin14.slice(1);
}
