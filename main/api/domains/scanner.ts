import { z } from 'zod';
import { method } from '../define.js';

export type ScanKind = 'product' | 'unknown' | 'malformed';

/** A classified scan, from any scanner (keyboard-wedge now; serial and USB-HID drivers feed the same event). */
export type ScanEvent = {
  id: string;
  source: 'wedge' | 'serial' | 'hid';
  /** What the scanner sent, untouched. */
  raw: string;
  /**
   * `unknown` also for a case/carton GTIN-14 (see `gtin14`) and for member, coupon, receipt and
   * payment codes, which the screen's own service reads from `text`.
   */
  kind: ScanKind;
  /**
   * The code in `raw`: framing, the AIM symbology identifier and surrounding spaces removed,
   * full-width characters as ASCII; GS1 element strings keep their GS separators. Look codes up by
   * this, not by `raw` (a scanner set to send AIM identifiers puts `]C0`, `]E0`… before every code).
   * Always set by this version; absent from older terminals' events.
   */
  text?: string;
  /** The AIM symbology identifier the scanner sent (`]E0` EAN/UPC, `]C1` GS1-128, `]Q1` QR…), when it sent one. */
  aim?: string;
  /** For products: the code normalised to EAN-13 (UPC-A gains its leading 0). */
  code?: string;
  /**
   * `gs1`: the GTIN (AI 01) of a GS1 element string (`]C1`/`]d2`/`]Q3`/`]e0`/`]J1`); `raw` keeps the
   * whole string. `gtin14`: a 14-digit GTIN with indicator 0, sold as the item it wraps.
   */
  symbology?: 'ean13' | 'upca' | 'ean8' | 'gs1' | 'gtin14';
  /** The GTIN-14 the scan carried; with kind `unknown`, a case or carton code (indicator 1–9), not a sellable item. */
  gtin14?: string;
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
