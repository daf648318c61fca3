import type { WedgeSettings } from '../api/contract.js';

export const DEFAULT_WEDGE_SETTINGS: WedgeSettings = {
  maxInterKeyMs: 50,
  minLength: 6,
  terminator: 'Enter',
  prefix: '',
  suffix: '',
};

/** One keydown, reduced to what the decision needs. `time` is the event's own timestamp (ms). */
export type WedgeKey = {
  key: string;
  time: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** IME composition in progress (or the 'Process' key): always the human's, never touched. */
  isComposing?: boolean;
  /** Auto-repeat of a held key: a human, however fast the repeats are. */
  repeat?: boolean;
};

/** 'consume': the caller must preventDefault the key. 'pass': let it do its default action. */
export type WedgeVerdict = 'consume' | 'pass';

export type WedgeCallbacks = {
  /** A decided scan, prefix/suffix already stripped. */
  onScan: (code: string) => void;
  /** Held-back keystrokes that turned out to be typing, in order; to be typed into the focused field. */
  onReplay: (text: string) => void;
};

export type WedgeTimers = {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

const browserTimers: WedgeTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Timers can fire a little before keys that were already queued behind a busy main thread get
 * dispatched; waiting this much longer than maxInterKeyMs keeps a scan from being split by a
 * late timer. The decision itself uses the keys' timestamps, not the timer.
 */
const FLUSH_GRACE_MS = 15;

const PENDING_RETRY_MS = 5;
const MAX_PENDING_RETRIES = 20;

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Fn']);

function isPrintable(key: string): boolean {
  // One character (a code point, so not "Enter" or "ArrowLeft"); astral characters are 2 UTF-16 units.
  return [...key].length === 1;
}

/**
 * Tells a keyboard-wedge scanner from a human on the same keyboard, by timing alone.
 *
 * The first keystroke of a scan arrives before anyone knows it is one, so every printable key
 * is held back (consumed) into a buffer. Then:
 * - terminator, the buffer's keys each ≤ maxInterKeyMs apart (terminator included) and the code
 *   (after stripping prefix/suffix) ≥ minLength → a scan: delivered, the terminator consumed.
 * - a gap > maxInterKeyMs (seen on the next key, or by a timer when no key comes), a short or slow
 *   buffer at the terminator, or any other key (Backspace, a shortcut, IME) → typing: the buffer
 *   is replayed, in order, before that key's own default action runs.
 *
 * No DOM here: the caller feeds keys and acts on the verdicts (see attach-wedge.ts).
 */
export class WedgeDetector {
  private buffer: string[] = [];
  private lastTime = 0;
  private timer: unknown;
  private settings: WedgeSettings;

  /**
   * @param inputPending True while keys are queued but not yet dispatched (Chromium's
   *   `navigator.scheduling.isInputPending`): then the flush timer waits for them, because on a
   *   busy main thread a timer can run before keys that were typed in time.
   */
  constructor(
    settings: Partial<WedgeSettings>,
    private readonly callbacks: WedgeCallbacks,
    private readonly timers: WedgeTimers = browserTimers,
    private readonly inputPending: () => boolean = () => false,
  ) {
    this.settings = { ...DEFAULT_WEDGE_SETTINGS, ...settings };
  }

  configure(settings: Partial<WedgeSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  handleKey(k: WedgeKey): WedgeVerdict {
    if (MODIFIER_KEYS.has(k.key)) return 'pass'; // scanners press Shift for capitals: neither a key nor a gap
    if (k.isComposing || k.key === 'Process' || k.ctrlKey || k.metaKey || k.altKey || k.repeat) {
      this.flushAsTyping();
      return 'pass';
    }
    if (this.buffer.length > 0 && k.time - this.lastTime > this.settings.maxInterKeyMs) {
      this.flushAsTyping();
    }
    if (k.key === this.settings.terminator) return this.terminate();
    if (!isPrintable(k.key)) {
      this.flushAsTyping();
      return 'pass';
    }
    this.buffer.push(k.key);
    this.lastTime = k.time;
    this.armTimer();
    return 'consume';
  }

  /** Gives held-back keys to the human now (e.g. the window lost focus). */
  flush(): void {
    this.flushAsTyping();
  }

  dispose(): void {
    this.flushAsTyping();
  }

  private terminate(): WedgeVerdict {
    if (this.buffer.length === 0) return 'pass';
    const code = this.strip(this.buffer.join(''));
    if ([...code].length < this.settings.minLength) {
      this.flushAsTyping();
      return 'pass';
    }
    this.reset();
    this.callbacks.onScan(code);
    return 'consume';
  }

  private strip(raw: string): string {
    const { prefix, suffix } = this.settings;
    let code = raw;
    if (prefix && code.startsWith(prefix)) code = code.slice(prefix.length);
    if (suffix && code.endsWith(suffix)) code = code.slice(0, code.length - suffix.length);
    return code;
  }

  private flushAsTyping(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.reset();
    this.callbacks.onReplay(text);
  }

  private reset(): void {
    this.buffer = [];
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private armTimer(delay = this.settings.maxInterKeyMs + FLUSH_GRACE_MS, retries = MAX_PENDING_RETRIES): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      // Queued keys decide by their own timestamps once dispatched; bounded, so a stuck queue cannot hold keys forever.
      if (retries > 0 && this.inputPending()) this.armTimer(PENDING_RETRY_MS, retries - 1);
      else this.flushAsTyping();
    }, delay);
  }
}
