/**
 * Cuts a serial scanner's byte stream into scans. Pure (no timers, no I/O) so every bad case is
 * testable byte by byte; the serial driver adds the idle timer and the port.
 */
export type ScanTerminatorName = 'CR' | 'LF' | 'CRLF' | 'TAB' | 'ETX';

export type FramerError = { kind: 'garbage' | 'overlong' | 'partial'; detail: string };

export type FramerOutput = { scans: string[]; errors: FramerError[] };

const STX = 0x02;
const ETX = 0x03;
const GS = 0x1d;

function isTerminator(byte: number, terminator: ScanTerminatorName): boolean {
  switch (terminator) {
    case 'CR':
    case 'LF':
    case 'CRLF':
      // Either byte ends a line (scanners set to CR send CRLF and the other way round); the
      // empty "line" between CR and LF is skipped.
      return byte === 0x0d || byte === 0x0a;
    case 'TAB':
      return byte === 0x09;
    case 'ETX':
      return byte === ETX;
  }
}

/**
 * A scan is printable text: ASCII 0x20–0x7e, GS (the GS1 FNC1 separator) and valid UTF-8 (QR
 * codes with Chinese). Anything else means line noise, a wrong baud rate or framing.
 */
function printableText(bytes: Uint8Array): string | null {
  for (const b of bytes) if ((b < 0x20 && b !== GS) || b === 0x7f) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export class ScanLineFramer {
  private buffer: number[] = [];
  private overlong = false;

  constructor(
    private readonly terminator: ScanTerminatorName,
    private readonly maxLength: number,
  ) {}

  /** True while an unterminated line is buffered (the driver's idle timer watches this). */
  get hasPartial(): boolean {
    return this.buffer.length > 0 || this.overlong;
  }

  push(chunk: Uint8Array): FramerOutput {
    const out: FramerOutput = { scans: [], errors: [] };
    for (const byte of chunk) {
      if (isTerminator(byte, this.terminator)) {
        this.endLine(out);
        continue;
      }
      // STX opens a framed scan: whatever came before it was a cut-off line.
      if (byte === STX && this.terminator === 'ETX') {
        if (this.hasPartial) this.drop(out, 'partial', 'a new scan started before the previous one ended');
        continue;
      }
      if (this.overlong) continue;
      if (this.buffer.length >= this.maxLength) {
        this.overlong = true;
        this.buffer = [];
        continue;
      }
      this.buffer.push(byte);
    }
    return out;
  }

  /** The line stopped without a terminator (idle timeout, port closed): flush it as a scan, or drop it as partial. */
  flush(asScan: boolean): FramerOutput {
    const out: FramerOutput = { scans: [], errors: [] };
    if (!this.hasPartial) return out;
    if (asScan && !this.overlong) this.endLine(out);
    else
      this.drop(
        out,
        this.overlong ? 'overlong' : 'partial',
        this.overlong ? `longer than ${this.maxLength} bytes` : `${this.buffer.length} bytes with no terminator`,
      );
    return out;
  }

  private drop(out: FramerOutput, kind: FramerError['kind'], detail: string): void {
    out.errors.push({ kind, detail });
    this.buffer = [];
    this.overlong = false;
  }

  private endLine(out: FramerOutput): void {
    if (this.overlong) return this.drop(out, 'overlong', `longer than ${this.maxLength} bytes`);
    if (this.buffer.length === 0) return;
    const text = printableText(Uint8Array.from(this.buffer));
    this.buffer = [];
    if (text === null || text.trim() === '') out.errors.push({ kind: 'garbage', detail: 'non-printable bytes in a scan' });
    else out.scans.push(text);
  }
}
