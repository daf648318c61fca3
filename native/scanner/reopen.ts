/** How long a scanner driver waits between tries to open a scanner that is away: from `reconnectMinMs`, doubling up to `reconnectMaxMs`. */
export type ReopenOptions = { reconnectMinMs?: number; reconnectMaxMs?: number };

/**
 * Opening a scanner again once it went away (unplugged) or was not there yet, for the serial and
 * the HID driver alike: each failed try waits twice as long as the one before, up to the longest
 * wait, and a scanner that opened starts again from the shortest.
 */
export class Reopener {
  private timer: NodeJS.Timeout | undefined;
  private waitMs: number;

  constructor(
    private readonly options: ReopenOptions,
    private readonly open: () => void,
  ) {
    this.waitMs = this.shortest();
  }

  /** The scanner opened: the next loss waits the shortest time again. */
  opened(): void {
    this.waitMs = this.shortest();
  }

  /** Tries `open` again after the current wait; a try already waiting stands. */
  schedule(): void {
    if (this.timer) return;
    const wait = this.waitMs;
    this.waitMs = Math.min(this.waitMs * 2, this.options.reconnectMaxMs ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open();
    }, wait);
  }

  /** No more tries (the driver stopped). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private shortest(): number {
    return this.options.reconnectMinMs ?? 250;
  }
}
