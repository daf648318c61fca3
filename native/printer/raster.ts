import { GS } from './escpos-commands.js';

/** A 1-bit image: `width` pixels a row, rows of `bytesPerRow` bytes, MSB = leftmost pixel, 1 = black. */
export type Bitmap = { width: number; height: number; bytesPerRow: number; data: Uint8Array };

/** RGBA pixels (e.g. from resvg) → 1-bit, black where the luminance (over white) is below `threshold`. */
export function thresholdRgba(rgba: Uint8Array, width: number, height: number, threshold = 160): Bitmap {
  const bytesPerRow = Math.ceil(width / 8);
  const data = new Uint8Array(bytesPerRow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const a = rgba[i + 3]! / 255;
      // Composite over white paper: a transparent pixel is paper.
      const lum = (0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!) * a + 255 * (1 - a);
      if (lum < threshold) data[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, bytesPerRow, data };
}

/**
 * `GS v 0 m xL xH yL yH d…` (print raster bit image), in bands of at most `bandRows` rows: many
 * printers cap one image's height or buffer, and bands let the first rows print while the rest
 * is still on the way.
 */
export function rasterCommands(bitmap: Bitmap, bandRows = 128): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (let top = 0; top < bitmap.height; top += bandRows) {
    const rows = Math.min(bandRows, bitmap.height - top);
    const header = Uint8Array.of(GS, 0x76, 0x30, 0, bitmap.bytesPerRow & 0xff, bitmap.bytesPerRow >> 8, rows & 0xff, rows >> 8);
    chunks.push(header, bitmap.data.subarray(top * bitmap.bytesPerRow, (top + rows) * bitmap.bytesPerRow));
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
