import type { PrinterStatus } from './devices-types.js';

/** What the cashier needs to know about the printer, most urgent first. */
export type PrinterState =
  'ready' | 'ready_no_status' | 'paper_near_end' | 'paper_end' | 'cover_open' | 'offline' | 'unreachable' | 'not_configured';

export type Tone = 'ok' | 'warn' | 'error' | 'idle';

export function printerState(status: PrinterStatus): PrinterState {
  if (status.problem) return status.problem;
  if (status.paperNearEnd) return 'paper_near_end';
  // A write-only link (USB printer class) cannot tell: it is connected, nothing more is known.
  if (status.online === null) return 'ready_no_status';
  return 'ready';
}

export function printerTone(state: PrinterState): Tone {
  switch (state) {
    case 'ready':
    case 'ready_no_status':
      return 'ok';
    case 'paper_near_end':
      return 'warn';
    case 'not_configured':
      return 'idle';
    default:
      return 'error';
  }
}
