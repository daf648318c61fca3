/** The few ESC/POS commands the printer pipeline emits itself (receiptline emits the rest). */

export const ESC = 0x1b;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;
export const FS = 0x1c;

/** ESC @: initialise the printer (clears modes, keeps the receive buffer). */
export const INIT = Uint8Array.of(ESC, 0x40);

/** GS V 66 n: feed to the cutter and cut (partial). */
export const FEED_AND_CUT = Uint8Array.of(GS, 0x56, 0x42, 0x00);

/** Which real-time status `DLE EOT n` asks for. */
export const STATUS_PRINTER = 1;
export const STATUS_OFFLINE_CAUSE = 2;
export const STATUS_ERROR_CAUSE = 3;
export const STATUS_PAPER = 4;

/** `DLE EOT n`: real-time status; the printer answers one byte even while busy or offline. */
export function statusQuery(n: 1 | 2 | 3 | 4): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/**
 * `ESC p m t1 t2`: a drawer kick pulse on connector pin 2 (m=0) or 5 (m=1), on for t1×2 ms and
 * off for t2×2 ms. receiptline has no drawer command, so the pipeline appends this.
 */
export function drawerKick(pulse: { pin: 0 | 1; onMs: number; offMs: number }): Uint8Array {
  const units = (ms: number) => Math.max(1, Math.min(255, Math.round(ms / 2)));
  return Uint8Array.of(ESC, 0x70, pulse.pin, units(pulse.onMs), units(pulse.offMs));
}
