import iconv from 'iconv-lite';

/** Shown in place of a character the printer's font cannot have: visible, so a cashier sees something is missing. */
export const FALLBACK_CHAR = '□';

const cache = new Map<string, boolean>();

/**
 * Whether a printer's built-in Chinese font surely has the character: it is in GBK, and not one
 * of the CJK Extension A characters GB18030 placed at 0xFE50–0xFEFE (䶮 U+4DAE is 0xFE9F), which
 * were user-defined in GBK and are missing from most printer fonts. Four-byte GB18030 characters
 * (𠮷 U+20BB7 …) are encoded fine by receiptline but print as garbage or nothing on such printers.
 */
function inPrinterFont(ch: string): boolean {
  let known = cache.get(ch);
  if (known === undefined) {
    const bytes = iconv.encode(ch, 'gbk');
    const missing = bytes.length === 1 && bytes[0] === 0x3f && ch !== '?';
    known = !missing && !(bytes.length === 2 && bytes[0] === 0xfe && bytes[1]! >= 0x50);
    cache.set(ch, known);
  }
  return known;
}

/**
 * Prepares text for a printer with a GB18030 (GBK-range) font: `¥` becomes `￥` (GBK has no `¥`)
 * and every character the printer's font may lack becomes `□`. Returns the text and how many were replaced,
 * so the caller can note it (the raster mode prints them all correctly).
 */
export function fitToPrinterFont(text: string): { text: string; replaced: number } {
  let replaced = 0;
  let out = '';
  for (const ch of text.replaceAll('¥', '￥')) {
    if (ch.charCodeAt(0) < 0x80 || inPrinterFont(ch)) out += ch;
    else {
      out += FALLBACK_CHAR;
      replaced++;
    }
  }
  return { text: out, replaced };
}
