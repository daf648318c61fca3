/**
 * Decoding of the ESC/POS real-time status bytes (`DLE EOT n`, Epson TM semantics, followed by
 * most Chinese ESC/POS printers). Every answer byte has bit 1 and bit 4 set and bits 0 and 7
 * clear (`byte & 0x93 === 0x12`); anything else is not a status answer.
 */

/** The printer as its real-time status reports it. */
export type RealtimeStatus = {
  online: boolean;
  coverOpen: boolean;
  paperEnd: boolean;
  paperNearEnd: boolean;
  /** Drawer kick connector pin 3 is high: with the usual drawer switch, the drawer is open. */
  drawerOpen: boolean;
  /** An error (cutter jam, head overheated, unrecoverable …) stopped the printer. */
  error: boolean;
};

export class StatusByteError extends Error {
  constructor(readonly byte: number) {
    super(`not an ESC/POS status byte: 0x${byte.toString(16).padStart(2, '0')}`);
    this.name = 'StatusByteError';
  }
}

/** True when `byte` has the fixed bit pattern of a `DLE EOT` answer. */
export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

function check(byte: number): number {
  if (!isStatusByte(byte)) throw new StatusByteError(byte);
  return byte;
}

/**
 * Combines the answers to `DLE EOT 1` (printer), `2` (offline cause) and `4` (paper sensor).
 * `DLE EOT 1` bit 2: drawer pin 3; bit 3: offline. `DLE EOT 2` bit 2: cover open; bit 5: stopped
 * by paper end; bit 6: error. `DLE EOT 4` bits 2–3: near end; bits 5–6: paper end.
 */
export function parseRealtimeStatus(printer: number, offlineCause: number, paper: number): RealtimeStatus {
  check(printer);
  check(offlineCause);
  check(paper);
  return {
    online: (printer & 0x08) === 0,
    drawerOpen: (printer & 0x04) !== 0,
    coverOpen: (offlineCause & 0x04) !== 0,
    error: (offlineCause & 0x40) !== 0,
    paperEnd: (paper & 0x60) !== 0 || (offlineCause & 0x20) !== 0,
    paperNearEnd: (paper & 0x0c) !== 0,
  };
}

/** The encoder used by the virtual printer: the bytes a printer in `status` answers with. */
export function encodeRealtimeStatus(status: RealtimeStatus): { printer: number; offlineCause: number; error: number; paper: number } {
  return {
    printer: 0x12 | (status.drawerOpen ? 0x04 : 0) | (status.online ? 0 : 0x08),
    offlineCause: 0x12 | (status.coverOpen ? 0x04 : 0) | (status.paperEnd ? 0x20 : 0) | (status.error ? 0x40 : 0),
    error: 0x12 | (status.error ? 0x40 : 0),
    paper: 0x12 | (status.paperNearEnd ? 0x0c : 0) | (status.paperEnd ? 0x60 : 0),
  };
}

/** What stops printing now, most specific first; null when the printer can print. */
export function problemOf(status: RealtimeStatus): 'cover_open' | 'paper_end' | 'offline' | null {
  if (status.coverOpen) return 'cover_open';
  if (status.paperEnd) return 'paper_end';
  if (!status.online || status.error) return 'offline';
  return null;
}
