import { existsSync } from 'node:fs';

/** Where the CJK fonts for raster receipts and PNG previews usually are (Debian/Ubuntu `fonts-noto-cjk`, Windows). */
const CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  'C:\\Windows\\Fonts\\msyh.ttc',
  'C:\\Windows\\Fonts\\simsun.ttc',
];

export type ReceiptFonts = { fontFiles: string[]; loadSystemFonts: boolean; monospaceFamily: string; defaultFontFamily: string };

let found: ReceiptFonts | undefined;

/**
 * The fonts resvg loads. Known CJK font files only when present (loading every system font costs
 * tens of milliseconds per receipt); otherwise all system fonts, so a machine with other CJK fonts
 * still renders Chinese.
 */
export function receiptFonts(): ReceiptFonts {
  if (found) return found;
  const fontFiles = CANDIDATES.filter((p) => existsSync(p));
  const noto = fontFiles.some((f) => f.includes('NotoSansCJK'));
  found = {
    fontFiles,
    loadSystemFonts: fontFiles.length === 0,
    monospaceFamily: noto ? 'Noto Sans Mono CJK SC' : 'Microsoft YaHei',
    defaultFontFamily: noto ? 'Noto Sans CJK SC' : 'Microsoft YaHei',
  };
  return found;
}
