import { describe, expect, it } from 'vitest';
import { encodeRealtimeStatus, isStatusByte, parseRealtimeStatus, problemOf, StatusByteError } from './printer-status.js';

describe('ESC/POS real-time status (DLE EOT)', () => {
  it('reads an idle printer as online with paper', () => {
    expect(parseRealtimeStatus(0x12, 0x12, 0x12)).toEqual({
      online: true,
      drawerOpen: false,
      coverOpen: false,
      error: false,
      paperEnd: false,
      paperNearEnd: false,
    });
  });

  it('decodes offline, cover open, paper end and near end, drawer open (Epson bit layout)', () => {
    const s = parseRealtimeStatus(0x12 | 0x08 | 0x04, 0x12 | 0x04 | 0x20, 0x12 | 0x0c | 0x60);
    expect(s).toMatchObject({ online: false, drawerOpen: true, coverOpen: true, paperEnd: true, paperNearEnd: true });
    expect(problemOf(s)).toBe('cover_open');
    expect(problemOf({ ...s, coverOpen: false })).toBe('paper_end');
    expect(problemOf({ ...s, coverOpen: false, paperEnd: false })).toBe('offline');
  });

  it('round-trips what the virtual printer answers', () => {
    const status = { online: true, drawerOpen: true, coverOpen: false, error: false, paperEnd: false, paperNearEnd: true };
    const e = encodeRealtimeStatus(status);
    expect(parseRealtimeStatus(e.printer, e.offlineCause, e.paper)).toEqual(status);
  });

  it('refuses bytes that are not status answers (e.g. a stray GS r reply)', () => {
    expect(isStatusByte(0x0c)).toBe(false);
    expect(() => parseRealtimeStatus(0x0c, 0x12, 0x12)).toThrow(StatusByteError);
  });
});
