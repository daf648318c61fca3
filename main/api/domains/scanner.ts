import { z } from 'zod';
import { method } from '../define.js';

export type ScanKind = 'product' | 'unknown' | 'malformed';

/** A classified scan, from any scanner (keyboard-wedge now; serial and USB-HID drivers feed the same event). */
export type ScanEvent = {
  id: string;
  source: 'wedge' | 'serial' | 'hid';
  raw: string;
  kind: ScanKind;
  /** For products: the code normalised to EAN-13 (UPC-A gains its leading 0). */
  code?: string;
  /** `gs1`: the GTIN (AI 01) of a GS1 element string (`]C1`/`]d2`/`]Q3`/`]e0`); `raw` keeps the whole string. */
  symbology?: 'ean13' | 'upca' | 'ean8' | 'gs1';
  /** For malformed scans: why (`empty`, `bad_length`, `bad_check_digit`), for the UI to translate. */
  reason?: 'empty' | 'bad_length' | 'bad_check_digit';
  at: string;
};

export const scannerContract = {
  /** A scan seen by the renderer's keyboard-wedge detector. Main classifies it and emits `scanned`. */
  submit: method<ScanEvent>()(
    z
      .object({
        raw: z.string().min(1).max(512),
        source: z.literal('wedge'),
      })
      .strict(),
  ),
};

export type ScannerEvents = { scanned: ScanEvent };
