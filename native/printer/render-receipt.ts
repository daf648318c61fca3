import { Resvg } from '@resvg/resvg-js';
import receiptline from 'receiptline';
import { drawerKick, FEED_AND_CUT, INIT } from './escpos-commands.js';
import { fitToPrinterFont } from './gbk-fallback.js';
import { rasterCommands, thresholdRgba } from './raster.js';
import type { ReceiptDocument } from './receipt-document.js';
import { receiptFonts } from './receipt-fonts.js';
import { outlineText } from './svg-outline.js';
import { charsPerLine, receiptMarkup } from './receipt-template.js';
import type { TemplateOptions } from './receipt-template.js';

/** How a printer wants its receipts. */
export type PrintFormat = {
  /** `text-gb18030`: ESC/POS text for a printer with a Chinese font. `raster`: one image (GS v 0). */
  mode: 'text-gb18030' | 'raster';
  paperMm: 58 | 80;
  logoPng?: string;
  /** Append a drawer kick after the cut (cash tenders). */
  kickDrawer?: { pin: 0 | 1; onMs: number; offMs: number };
};

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function templateOptions(format: { paperMm: 58 | 80; logoPng?: string }): TemplateOptions {
  return format.logoPng ? { paperMm: format.paperMm, logoPng: format.logoPng } : { paperMm: format.paperMm };
}

/** The receipt as SVG (receiptline's renderer): the preview, and the source of the raster image. */
export function receiptSvg(doc: ReceiptDocument, format: { paperMm: 58 | 80; logoPng?: string }): string {
  const markup = receiptMarkup(doc, templateOptions(format)).replaceAll('¥', '￥');
  return receiptline.transform(markup, { cpl: charsPerLine(format.paperMm), encoding: 'gb18030', spacing: true });
}

/** An SVG receipt as a picture: RGBA pixels on white, `paperMm` wide at 203 dpi (384 / 576 dots). */
export function rasterizeSvg(svg: string, paperMm: 58 | 80): { width: number; height: number; rgba: Uint8Array; png: () => Buffer } {
  const fonts = receiptFonts();
  // Text becomes cached glyph outlines first: the render then needs no font at all (see svg-outline.ts).
  const resvg = new Resvg(outlineText(svg, fonts), {
    background: '#ffffff',
    fitTo: { mode: 'width', value: charsPerLine(paperMm) * 12 },
    font: { loadSystemFonts: false },
    shapeRendering: 1,
    textRendering: 1,
    logLevel: 'off',
  });
  const image = resvg.render();
  return { width: image.width, height: image.height, rgba: image.pixels, png: () => image.asPng() };
}

/** The receipt as a PNG (previews, the Sell screen after a sale). */
export function receiptPng(doc: ReceiptDocument, format: { paperMm: 58 | 80; logoPng?: string }): Buffer {
  return rasterizeSvg(receiptSvg(doc, format), format.paperMm).png();
}

/** What will be sent to the printer, and what could not be printed as text (replaced by `□`). */
export type RenderedReceipt = { bytes: Uint8Array; replacedChars: number };

/**
 * The receipt as ESC/POS bytes for one printer. Text mode: receiptline with GB18030 (`FS &`
 * before each run of Chinese); characters the printer's font lacks become `□`. Raster mode:
 * the SVG drawn with the system's CJK font, thresholded to 1 bit and sent as `GS v 0` bands, so
 * every character prints. A drawer kick (`ESC p`) follows the cut when asked.
 */
export function renderEscPos(doc: ReceiptDocument, format: PrintFormat): RenderedReceipt {
  const tail = format.kickDrawer ? [drawerKick(format.kickDrawer)] : [];
  if (format.mode === 'raster') {
    const picture = rasterizeSvg(receiptSvg(doc, format), format.paperMm);
    const bitmap = thresholdRgba(picture.rgba, picture.width, picture.height);
    // ESC d 4: feed past the tear bar before the cut.
    return { bytes: concat([INIT, rasterCommands(bitmap), Uint8Array.of(0x1b, 0x64, 4), FEED_AND_CUT, ...tail]), replacedChars: 0 };
  }
  const { text, replaced } = fitToPrinterFont(receiptMarkup(doc, templateOptions(format)));
  const commands = receiptline.transform(text, {
    cpl: charsPerLine(format.paperMm),
    encoding: 'gb18030',
    command: 'escpos',
    spacing: true,
    cutting: true,
  });
  // receiptline returns one character a byte, and ends with `GS r 1` (transmit paper status): the
  // queue asks for status itself with DLE EOT, and a stray answer must not be taken for one.
  const body = commands.endsWith('\x1dr1') ? commands.slice(0, -3) : commands;
  return { bytes: concat([Buffer.from(body, 'latin1'), ...tail]), replacedChars: replaced };
}
