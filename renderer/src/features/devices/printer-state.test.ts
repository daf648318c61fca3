import { describe, expect, it } from 'vitest';
import { printerState, printerTone } from './printer-state.js';
import type { PrinterStatus } from './devices-types.js';

const base: PrinterStatus = {
  configured: true,
  simulated: false,
  connection: 'tcp',
  reachable: true,
  online: true,
  coverOpen: false,
  paperEnd: false,
  paperNearEnd: false,
  problem: null,
  lastError: null,
  checkedAt: '2026-01-01T00:00:00Z',
};

describe('printer state', () => {
  it('puts the blocking problem before a paper-near-end warning', () => {
    expect(printerState({ ...base, problem: 'paper_end', paperEnd: true, paperNearEnd: true })).toBe('paper_end');
    expect(printerTone('paper_end')).toBe('error');
  });

  it('warns about paper near end while the printer still prints', () => {
    expect(printerState({ ...base, paperNearEnd: true })).toBe('paper_near_end');
    expect(printerTone('paper_near_end')).toBe('warn');
  });

  it('does not claim a write-only printer is online', () => {
    expect(printerState({ ...base, connection: 'usb', online: null, coverOpen: null, paperEnd: null, paperNearEnd: null })).toBe(
      'ready_no_status',
    );
  });

  it('reports cover open, offline and unreachable as they are', () => {
    expect(printerState({ ...base, problem: 'cover_open', coverOpen: true })).toBe('cover_open');
    expect(printerState({ ...base, problem: 'unreachable', reachable: false, online: null })).toBe('unreachable');
    expect(printerState({ ...base, problem: 'not_configured', configured: false })).toBe('not_configured');
    expect(printerTone('not_configured')).toBe('idle');
  });
});
