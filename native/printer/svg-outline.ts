import { Resvg } from '@resvg/resvg-js';
import type { ReceiptFonts } from './receipt-fonts.js';

/**
 * Why this exists: resvg shapes every `<tspan>` separately, and with a CJK CFF font (Noto Sans
 * CJK) each one costs milliseconds — a receipt of ~300 characters took ~2 s to rasterise, far
 * from the 400 ms a cashier can wait. receiptline places every character in its own tspan on a
 * fixed grid, so the receipt's text is just glyphs at positions: each glyph's outline is drawn
 * once per process (one resvg pass for all new characters) and reused as a path.
 */
const glyphs = new Map<string, string>();

/** receiptline's SVG `<text>` attributes that matter to the look (all apply to paths too, except underline). */
const TSPAN = /<tspan x="([-\d.]+)">([^<]*)<\/tspan>/g;
const TEXT = /<text([^>]*)>((?:<tspan x="[-\d.]+">[^<]*<\/tspan>)*)<\/text>/g;

function decode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

/** Draws the outlines of `chars` (with the attributes receiptline's text group has) and caches them. */
function learn(chars: string[], group: string, fonts: ReceiptFonts): void {
  const texts = chars.map((c, i) => `<text id="g${i}"><tspan x="0">${escapeXml(c)}</tspan></text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><g${group}>${texts}</g></svg>`;
  const usvg = new Resvg(svg, { font: fonts, logLevel: 'off' }).toString();
  for (const [, index, body] of usvg.matchAll(/<g id="g(\d+)">([\s\S]*?)<\/g>/g)) {
    const ch = chars[Number(index)];
    if (ch !== undefined) glyphs.set(ch, body!.replace(/\s+/g, ' ').trim());
  }
  // A character with no outline (space, or missing from every font) draws nothing.
  for (const ch of chars) if (!glyphs.has(ch)) glyphs.set(ch, '');
}

/**
 * Returns receiptline's SVG with every text character replaced by its cached outline path, so
 * rendering it needs no fonts. `group` is the attribute string of receiptline's outer text group
 * (font family/size, anchor, baseline), read from the SVG itself.
 */
export function outlineText(svg: string, fonts: ReceiptFonts): string {
  const groupMatch = /<g( font-family="[^"]*"[^>]*)>/.exec(svg);
  if (!groupMatch) return svg;
  const group = groupMatch[1]!.replace(/ lang="[^"]*"/, '');
  const missing = new Set<string>();
  for (const [, , text] of svg.matchAll(TSPAN)) {
    const ch = decode(text!);
    if (ch.trim() !== '' && !glyphs.has(ch)) missing.add(ch);
  }
  if (missing.size > 0) learn([...missing], group, fonts);
  return svg.replace(TEXT, (_, attrs: string, spans: string) => {
    let paths = '';
    for (const [, x, text] of spans.matchAll(TSPAN)) {
      const body = glyphs.get(decode(text!));
      if (body) paths += `<g transform="translate(${x},0)">${body}</g>`;
    }
    // `y` on a text element becomes a translation of the group.
    const y = /\sy="([-\d.]+)"/.exec(attrs);
    const rest = attrs.replace(/\sy="[-\d.]+"/, '');
    return y ? `<g transform="translate(0,${y[1]})"><g${rest}>${paths}</g></g>` : `<g${rest}>${paths}</g>`;
  });
}

/** Fills the cache ahead of the first receipt (digits, Latin, the template's labels). */
export function warmGlyphs(sampleSvg: string, fonts: ReceiptFonts): void {
  outlineText(sampleSvg, fonts);
}
