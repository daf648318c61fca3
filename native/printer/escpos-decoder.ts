import iconv from 'iconv-lite';
import type { Bitmap } from './raster.js';

/**
 * What an ESC/POS byte stream asks a printer to do, as the virtual printer and the tests read
 * it. Covers what this app and receiptline send: text (single-byte or, after `FS &`, GB18030),
 * positions (`ESC $`, `ESC \`), sizes (`GS !`), barcodes (`GS k`), QR (`GS ( k`), raster images
 * (`GS v 0`, `GS 8 L`/`GS ( L`), cuts (`GS V`), drawer pulses (`ESC p`, `DLE DC4`) and the status
 * queries (`DLE EOT n`, `GS r n`) a printer answers. Unknown commands are skipped and counted.
 */
export type DecodedItem =
  | { type: 'init' }
  | { type: 'text'; line: string }
  | { type: 'raster'; bitmap: Bitmap }
  | { type: 'barcode'; symbology: string; data: string }
  | { type: 'qr'; data: string }
  | { type: 'cut' }
  | { type: 'drawer'; pin: number; onMs: number; offMs: number }
  /** `DLE EOT n`: real-time status wanted (answer at once). */
  | { type: 'status'; n: number }
  /** `GS r n`: transmit status (answered once the bytes before it are processed). */
  | { type: 'transmit-status'; n: number }
  | { type: 'unknown'; bytes: number[] };

const BARCODES: Record<number, string> = {
  0: 'UPC-A',
  1: 'UPC-E',
  2: 'EAN13',
  3: 'EAN8',
  4: 'CODE39',
  5: 'ITF',
  6: 'CODABAR',
  65: 'UPC-A',
  66: 'UPC-E',
  67: 'EAN13',
  68: 'EAN8',
  69: 'CODE39',
  70: 'ITF',
  71: 'CODABAR',
  72: 'CODE93',
  73: 'CODE128',
};

/** Dots a character cell is wide in font A (12 × 24): single-byte 12, double-byte 24. */
const CELL = 12;

/** A command is incomplete until all its bytes arrived: the decoder then waits for more. */
const NEED_MORE = -1;

export class EscPosDecoder {
  private pending: Uint8Array = new Uint8Array(0);
  private kanji = false;
  private widthScale = 1;
  /** The line being built: decoded text so far + raw bytes in the current encoding. */
  private line = '';
  private raw: number[] = [];
  private qrData = '';
  private graphics: Bitmap | undefined;
  unknownCommands = 0;

  /** Feeds received bytes; returns what they completed (a command split across chunks completes later). */
  push(chunk: Uint8Array): DecodedItem[] {
    const buf = new Uint8Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    const out: DecodedItem[] = [];
    let i = 0;
    while (i < buf.length) {
      const used = this.step(buf, i, out);
      if (used === NEED_MORE) break;
      i += used;
    }
    this.pending = buf.slice(i);
    return out;
  }

  /** The text of the unfinished line (e.g. a job cut off before its LF). */
  get partialLine(): string {
    return this.line + this.decodeRaw();
  }

  private decodeRaw(): string {
    if (this.raw.length === 0) return '';
    const bytes = Buffer.from(this.raw);
    if (this.kanji) return iconv.decode(bytes, 'gb18030');
    // Kanji mode off: ASCII, and receiptline's rule characters (code page 1, 0x90–0x9f) as box drawing.
    return Array.from(bytes, (b) => (b < 0x80 ? String.fromCharCode(b) : b >= 0x90 && b <= 0x9f ? '─' : '?')).join('');
  }

  private flushRaw(): void {
    this.line += this.decodeRaw();
    this.raw = [];
  }

  /** Moves the print position to `dots` from the left margin by padding with spaces. */
  private moveTo(dots: number): void {
    this.flushRaw();
    let width = 0;
    for (const ch of this.line) width += ch.codePointAt(0)! < 0x80 || ch === '─' ? CELL : CELL * 2;
    const target = Math.round(dots / CELL);
    const have = Math.round(width / CELL);
    if (target > have) this.line += ' '.repeat(target - have);
  }

  private endLine(out: DecodedItem[]): void {
    this.flushRaw();
    out.push({ type: 'text', line: this.line.replace(/\s+$/, '') });
    this.line = '';
  }

  private step(b: Uint8Array, i: number, out: DecodedItem[]): number {
    const avail = b.length - i;
    const at = (k: number) => b[i + k]!;
    const c = at(0);
    const need = (n: number) => (avail < n ? NEED_MORE : n);
    switch (c) {
      case 0x0a:
        this.endLine(out);
        return 1;
      case 0x0d:
        return 1;
      case 0x09:
        this.flushRaw();
        this.line += '    ';
        return 1;
      case 0x10: {
        // DLE EOT n / DLE ENQ n / DLE DC4 fn m t
        if (avail < 2) return NEED_MORE;
        if (at(1) === 0x04 || at(1) === 0x05) {
          if (avail < 3) return NEED_MORE;
          if (at(1) === 0x04) out.push({ type: 'status', n: at(2) });
          return 3;
        }
        if (at(1) === 0x14) {
          if (avail < 5) return NEED_MORE;
          if (at(2) === 1) out.push({ type: 'drawer', pin: at(3), onMs: at(4) * 100, offMs: at(4) * 100 });
          return 5;
        }
        return 1;
      }
      case 0x1b:
        return this.esc(b, i, avail, out);
      case 0x1c:
        return this.fs(b, i, avail, out);
      case 0x1d:
        return this.gs(b, i, avail, out);
      default:
        if (c < 0x20) return 1;
        this.raw.push(c);
        return need(1);
    }
  }

  private esc(b: Uint8Array, i: number, avail: number, out: DecodedItem[]): number {
    if (avail < 2) return NEED_MORE;
    const cmd = b[i + 1]!;
    switch (cmd) {
      case 0x40: // @
        this.kanji = false;
        this.widthScale = 1;
        out.push({ type: 'init' });
        return 2;
      case 0x32: // 2
        return 2;
      case 0x24: // $ nL nH: absolute position
        if (avail < 4) return NEED_MORE;
        this.moveTo(b[i + 2]! + b[i + 3]! * 256);
        return 4;
      case 0x5c: {
        // \ nL nH: relative position (signed)
        if (avail < 4) return NEED_MORE;
        let n = b[i + 2]! + b[i + 3]! * 256;
        if (n > 32767) n -= 65536;
        this.flushRaw();
        if (n > 0) this.line += ' '.repeat(Math.round(n / CELL));
        return 4;
      }
      case 0x70: // p m t1 t2: drawer pulse
        if (avail < 5) return NEED_MORE;
        out.push({ type: 'drawer', pin: b[i + 2]! & 1, onMs: b[i + 3]! * 2, offMs: b[i + 4]! * 2 });
        return 5;
      case 0x64: // d n: feed n lines
        if (avail < 3) return NEED_MORE;
        return 3;
      case 0x63: // c 3/4/5 n
        return avail < 4 ? NEED_MORE : 4;
      case 0x74: // t n: code table
        if (avail < 3) return NEED_MORE;
        this.flushRaw();
        return 3;
      default:
        // ESC M/!/SP/3/{/-/E/G/a/J/R/V/r … n: one parameter.
        return avail < 3 ? NEED_MORE : 3;
    }
  }

  private fs(b: Uint8Array, i: number, avail: number, out: DecodedItem[]): number {
    if (avail < 2) return NEED_MORE;
    const cmd = b[i + 1]!;
    switch (cmd) {
      case 0x26: // & kanji on
        this.flushRaw();
        this.kanji = true;
        return 2;
      case 0x2e: // . kanji off
        this.flushRaw();
        this.kanji = false;
        return 2;
      case 0x53: // S n1 n2
        return avail < 4 ? NEED_MORE : 4;
      case 0x28: {
        // ( fn pL pH data
        if (avail < 5) return NEED_MORE;
        const len = 5 + b[i + 3]! + b[i + 4]! * 256;
        return avail < len ? NEED_MORE : len;
      }
      case 0x70: // p n m: NV bit image
        return avail < 4 ? NEED_MORE : 4;
      default:
        if (cmd !== 0x2d && cmd !== 0x21 && cmd !== 0x43 && cmd !== 0x57) {
          this.unknownCommands++;
          out.push({ type: 'unknown', bytes: [0x1c, cmd] });
        }
        return avail < 3 ? NEED_MORE : 3;
    }
  }

  private gs(b: Uint8Array, i: number, avail: number, out: DecodedItem[]): number {
    if (avail < 2) return NEED_MORE;
    const cmd = b[i + 1]!;
    const u16 = (k: number) => b[i + k]! + b[i + k + 1]! * 256;
    switch (cmd) {
      case 0x21: // ! n: character size
        if (avail < 3) return NEED_MORE;
        this.flushRaw();
        this.widthScale = ((b[i + 2]! >> 4) & 7) + 1;
        return 3;
      case 0x56: {
        // V m [n]: cut
        if (avail < 3) return NEED_MORE;
        const m = b[i + 2]!;
        const len = m === 0 || m === 1 || m === 48 || m === 49 ? 3 : 4;
        if (avail < len) return NEED_MORE;
        if (this.line || this.raw.length) this.endLine(out);
        out.push({ type: 'cut' });
        return len;
      }
      case 0x72: // r n: transmit status
        if (avail < 3) return NEED_MORE;
        out.push({ type: 'transmit-status', n: b[i + 2]! });
        return 3;
      case 0x4c: // L nL nH
      case 0x57: // W nL nH
      case 0x50: // P x y
      case 0x24: // $ / \ (page mode positions)
      case 0x5c:
        return avail < 4 ? NEED_MORE : 4;
      case 0x6b: {
        // k m …: barcode
        if (avail < 3) return NEED_MORE;
        const m = b[i + 2]!;
        let data: Uint8Array;
        let len: number;
        if (m <= 6) {
          const end = b.indexOf(0, i + 3);
          if (end < 0) return NEED_MORE;
          data = b.subarray(i + 3, end);
          len = end + 1 - i;
        } else {
          if (avail < 4) return NEED_MORE;
          len = 4 + b[i + 3]!;
          if (avail < len) return NEED_MORE;
          data = b.subarray(i + 4, i + len);
        }
        let text = Buffer.from(data).toString('latin1');
        // CODE128 data starts with a code set selector ({A {B {C) and may switch sets; {C packs two digits a byte.
        if (m === 73) text = decodeCode128(data);
        out.push({ type: 'barcode', symbology: BARCODES[m] ?? `m${m}`, data: text });
        return len;
      }
      case 0x28: {
        // ( X pL pH …
        if (avail < 5) return NEED_MORE;
        const len = 5 + u16(3);
        if (avail < len) return NEED_MORE;
        const fnByte = b[i + 2]!;
        if (fnByte === 0x6b && avail >= 8) {
          // ( k: 2D code; cn 49 = QR. fn 80: store data, fn 81: print.
          const cn = b[i + 5]!;
          const fn = b[i + 6]!;
          if (cn === 49 && fn === 80) this.qrData = Buffer.from(b.subarray(i + 8, i + len)).toString('utf8');
          if (cn === 49 && fn === 81) out.push({ type: 'qr', data: this.qrData });
        } else if (fnByte === 0x4c && len >= 7) {
          // ( L: graphics. fn 112: store raster; fn 50 (or 2): print stored.
          const fn = b[i + 6]!;
          if (fn === 112) this.graphics = graphicsBitmap(b.subarray(i + 7, i + len));
          if ((fn === 50 || fn === 2) && this.graphics) {
            out.push({ type: 'raster', bitmap: this.graphics });
            this.graphics = undefined;
          }
        }
        return len;
      }
      case 0x38: {
        // 8 L p1 p2 p3 p4 m fn …: large graphics data
        if (avail < 7) return NEED_MORE;
        const len = 7 + b[i + 3]! + b[i + 4]! * 256 + b[i + 5]! * 65536 + b[i + 6]! * 16777216;
        if (avail < len) return NEED_MORE;
        if (b[i + 8] === 112) this.graphics = graphicsBitmap(b.subarray(i + 9, i + len));
        return len;
      }
      case 0x76: {
        // v 0 m xL xH yL yH d…: raster bit image
        if (avail < 8) return NEED_MORE;
        const bytesPerRow = u16(4);
        const height = u16(6);
        const len = 8 + bytesPerRow * height;
        if (avail < len) return NEED_MORE;
        if (this.line || this.raw.length) this.endLine(out);
        out.push({ type: 'raster', bitmap: { width: bytesPerRow * 8, height, bytesPerRow, data: b.slice(i + 8, i + len) } });
        return len;
      }
      default:
        // GS B/a/h/w/H/f/I/b/E// … n: one parameter.
        if (![0x42, 0x61, 0x68, 0x77, 0x48, 0x66, 0x49, 0x62, 0x45, 0x2f].includes(cmd)) {
          this.unknownCommands++;
          out.push({ type: 'unknown', bytes: [0x1d, cmd] });
        }
        return avail < 3 ? NEED_MORE : 3;
    }
  }
}

/** `a bx by c xL xH yL yH d…` of a raster graphics store command (a = 48: monochrome). */
function graphicsBitmap(body: Uint8Array): Bitmap {
  const width = body[4]! + body[5]! * 256;
  const height = body[6]! + body[7]! * 256;
  const bytesPerRow = Math.ceil(width / 8);
  return { width, height, bytesPerRow, data: body.slice(8, 8 + bytesPerRow * height) };
}

function decodeCode128(data: Uint8Array): string {
  let set: 'A' | 'B' | 'C' = 'B';
  let out = '';
  for (let k = 0; k < data.length; k++) {
    const c = data[k]!;
    if (c === 0x7b && k + 1 < data.length) {
      const s = String.fromCharCode(data[k + 1]!);
      if (s === 'A' || s === 'B' || s === 'C') {
        set = s;
        k++;
        continue;
      }
      if (s === '{') {
        out += '{';
        k++;
        continue;
      }
      k++;
      continue;
    }
    out += set === 'C' ? String(c).padStart(2, '0') : String.fromCharCode(c);
  }
  return out;
}
