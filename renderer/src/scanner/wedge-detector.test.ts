// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { WedgeDetector } from './wedge-detector.js';
import type { WedgeKey, WedgeTimers, WedgeVerdict } from './wedge-detector.js';
import type { WedgeSettings } from '../api/contract.js';

/** A manual clock: timers fire only when the test moves time forward, so nothing sleeps. */
class FakeTime implements WedgeTimers {
  now = 0;
  private nextId = 1;
  private tasks = new Map<number, { at: number; fn: () => void }>();

  set = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.tasks.set(id, { at: this.now + ms, fn });
    return id;
  };

  clear = (handle: unknown): void => {
    this.tasks.delete(handle as number);
  };

  advanceTo(time: number): void {
    for (;;) {
      const due = [...this.tasks.entries()].filter(([, t]) => t.at <= time).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.tasks.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = time;
  }
}

type Logged = { scan: string } | { replay: string } | { key: string; verdict: WedgeVerdict };

function setup(settings: Partial<WedgeSettings> = {}) {
  const time = new FakeTime();
  const log: Logged[] = [];
  const detector = new WedgeDetector(
    settings,
    { onScan: (code) => log.push({ scan: code }), onReplay: (text) => log.push({ replay: text }) },
    time,
  );
  const press = (key: string, at: number, extra: Partial<WedgeKey> = {}): WedgeVerdict => {
    time.advanceTo(at);
    const verdict = detector.handleKey({ key, time: at, ...extra });
    log.push({ key, verdict });
    return verdict;
  };
  /** Types `text` one key every `interval` ms from `start`; returns the time of the last key. */
  const type = (text: string, start: number, interval: number): number => {
    let at = start;
    for (const ch of text) {
      press(ch, at);
      at += interval;
    }
    return at - interval;
  };
  const scans = () => log.flatMap((e) => ('scan' in e ? [e.scan] : []));
  const replayed = () => log.flatMap((e) => ('replay' in e ? [e.replay] : [])).join('');
  return { detector, time, log, press, type, scans, replayed };
}

const EAN = '6901234567892';

describe('WedgeDetector', () => {
  it('delivers a 13-digit code typed at 5 ms/key with Enter as one scan, consuming every key', () => {
    const w = setup();
    const last = w.type(EAN, 1000, 5);
    w.press('Enter', last + 5);
    w.time.advanceTo(last + 1000);
    expect(w.scans()).toEqual([EAN]);
    expect(w.replayed()).toBe('');
    expect(w.log.filter((e) => 'verdict' in e).every((e) => 'verdict' in e && e.verdict === 'consume')).toBe(true);
  });

  it('treats the same code at 120 ms/key as typing: no scan, all 13 characters replayed in order, Enter passes', () => {
    const w = setup();
    const last = w.type(EAN, 1000, 120);
    const enter = w.press('Enter', last + 120);
    expect(w.scans()).toEqual([]);
    expect(w.replayed()).toBe(EAN);
    expect(enter).toBe('pass');
    // Each key reaches the field before the next one is pressed: nothing waits for the Enter.
    const keyIndexes = w.log.flatMap((e, i) => ('key' in e && e.key !== 'Enter' ? [i] : []));
    for (const [n, i] of keyIndexes.entries()) expect(w.log[i + 1]).toEqual({ replay: EAN[n] });
  });

  it('recognises a scan right after a human typed slowly, and keeps the human keys first', () => {
    const w = setup();
    w.type('ab', 0, 120);
    const last = w.type(EAN, 400, 5);
    w.press('Enter', last + 5);
    expect(w.replayed()).toBe('ab');
    expect(w.scans()).toEqual([EAN]);
    const order = w.log.filter((e) => !('key' in e));
    expect(order).toEqual([{ replay: 'a' }, { replay: 'b' }, { scan: EAN }]);
  });

  it('splits a human key from a scan that starts before the flush timer fired (by timestamps)', () => {
    const w = setup();
    w.press('x', 0);
    // 55 ms later: past maxInterKeyMs (50) but before the timer (50 + grace) — the next key decides.
    const last = w.type(EAN, 55, 5);
    w.press('Enter', last + 5);
    expect(w.log.filter((e) => !('key' in e))).toEqual([{ replay: 'x' }, { scan: EAN }]);
  });

  it('strips the configured prefix and suffix', () => {
    const w = setup({ prefix: ']E0', suffix: '#' });
    const last = w.type(`]E0${EAN}#`, 0, 5);
    w.press('Enter', last + 5);
    expect(w.scans()).toEqual([EAN]);
  });

  it('treats a fast burst shorter than minLength as typing and lets Enter submit after the replay', () => {
    const w = setup({ minLength: 6 });
    const last = w.type('12345', 0, 5);
    const enter = w.press('Enter', last + 5);
    expect(enter).toBe('pass');
    expect(w.scans()).toEqual([]);
    expect(w.log.slice(-2)).toEqual([{ replay: '12345' }, { key: 'Enter', verdict: 'pass' }]);
  });

  it('treats a burst whose 4th key is late as typing and replays every character in order', () => {
    const w = setup();
    w.type('123', 0, 5);
    w.type('4567', 10 + 60, 5); // the 4th key comes 60 ms after the 3rd
    const enter = w.press('Enter', 70 + 15 + 5);
    expect(w.scans()).toEqual([]);
    expect(w.replayed()).toBe('1234567');
    expect(enter).toBe('pass');
  });

  it('does not deliver a scan whose terminator comes late', () => {
    const w = setup();
    const last = w.type(EAN, 0, 5);
    const enter = w.press('Enter', last + 200);
    expect(w.scans()).toEqual([]);
    expect(w.replayed()).toBe(EAN);
    expect(enter).toBe('pass');
  });

  it('uses Tab as the terminator when configured, and then Enter is just a key', () => {
    const w = setup({ terminator: 'Tab' });
    let last = w.type(EAN, 0, 5);
    expect(w.press('Tab', last + 5)).toBe('consume');
    expect(w.scans()).toEqual([EAN]);

    last = w.type('7777777', 1000, 5);
    expect(w.press('Enter', last + 5)).toBe('pass');
    expect(w.scans()).toEqual([EAN]);
    expect(w.replayed()).toBe('7777777');
  });

  it('lets keys with ctrl/meta/alt pass through untouched, after replaying what was held back', () => {
    const w = setup();
    expect(w.press('a', 0, { ctrlKey: true })).toBe('pass');
    expect(w.press('c', 10, { metaKey: true })).toBe('pass');
    expect(w.press('f', 20, { altKey: true })).toBe('pass');
    expect(w.replayed()).toBe('');
    w.press('1', 100);
    w.press('v', 105, { ctrlKey: true });
    expect(w.log.slice(-2)).toEqual([{ replay: '1' }, { key: 'v', verdict: 'pass' }]);
  });

  it('never touches IME composition', () => {
    const w = setup();
    expect(w.press('Process', 0)).toBe('pass');
    expect(w.press('n', 5, { isComposing: true })).toBe('pass');
    expect(w.replayed()).toBe('');
    expect(w.scans()).toEqual([]);
  });

  it('ignores Shift presses inside a scan of capitals', () => {
    const w = setup();
    let at = 0;
    for (const ch of 'SF-12345') {
      if (ch >= 'A' && ch <= 'Z') w.press('Shift', at);
      w.press(ch, at + 1);
      at += 5;
    }
    w.press('Enter', at);
    expect(w.scans()).toEqual(['SF-12345']);
  });

  it('replays held-back keys before a non-printable key such as Backspace', () => {
    const w = setup();
    w.press('9', 0);
    expect(w.press('Backspace', 10)).toBe('pass');
    expect(w.log.slice(-2)).toEqual([{ replay: '9' }, { key: 'Backspace', verdict: 'pass' }]);
  });

  it('follows new settings: a slow scanner at 60 ms/key is a scan once maxInterKeyMs is 80', () => {
    const w = setup();
    w.detector.configure({ maxInterKeyMs: 80 });
    const last = w.type(EAN, 0, 60);
    w.press('Enter', last + 60);
    expect(w.scans()).toEqual([EAN]);
  });

  it('passes the terminator when nothing is held back', () => {
    const w = setup();
    expect(w.press('Enter', 0)).toBe('pass');
    expect(w.log).toEqual([{ key: 'Enter', verdict: 'pass' }]);
  });
});

describe('WedgeDetector on a busy main thread', () => {
  it('lets keys that are queued when the flush timer fires decide by their timestamps', () => {
    const time = new FakeTime();
    const log: string[] = [];
    let pending = true;
    const detector = new WedgeDetector(
      {},
      { onScan: (c) => log.push(`scan ${c}`), onReplay: (t) => log.push(`replay ${t}`) },
      time,
      () => pending,
    );
    detector.handleKey({ key: '6', time: 0 });
    // The main thread was blocked: the timer runs at 120 ms, before the scanner's other keys are dispatched.
    time.advanceTo(120);
    expect(log).toEqual([]);
    let at = 5;
    for (const key of '901234567892') {
      detector.handleKey({ key, time: at });
      at += 5;
    }
    pending = false;
    detector.handleKey({ key: 'Enter', time: at });
    expect(log).toEqual([`scan ${EAN}`]);
  });
});
