import type { Page } from 'playwright-core';

/**
 * A keyboard-wedge scanner: the code's keystrokes `msPerKey` apart, then Enter.
 *
 * A real scanner's keys reach the page with the operating system's timestamps, however busy the
 * renderer is. `page.keyboard.type` instead waits for each key to be handled before sending the
 * next, so on a loaded 2-core machine its "5 ms" keys arrive 8–60 ms apart and a scan looks like
 * typing. This sends the keys the way the hardware does: all at once over the DevTools protocol,
 * each stamped `msPerKey` after the previous one. They are real, trusted key events; the detector
 * decides on their timestamps (`event.timeStamp`).
 */
export async function scanKeys(page: Page, code: string, msPerKey = 5, terminator: 'Enter' | 'Tab' = 'Enter'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const start = Date.now() / 1000;
    const sends: Promise<unknown>[] = [];
    [...code, terminator].forEach((key, i) => {
      const timestamp = start + (i * msPerKey) / 1000;
      const event = keyOf(key);
      sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', timestamp, ...event }));
      sends.push(
        cdp.send('Input.dispatchKeyEvent', {
          type: 'keyUp',
          timestamp: timestamp + 0.001,
          key: event.key,
          code: event.code,
          windowsVirtualKeyCode: event.windowsVirtualKeyCode,
        }),
      );
    });
    await Promise.all(sends);
  } finally {
    await cdp.detach();
  }
}

function keyOf(key: string): { key: string; code: string; windowsVirtualKeyCode: number; text?: string } {
  if (key === 'Enter') return { key, code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' };
  if (key === 'Tab') return { key, code: 'Tab', windowsVirtualKeyCode: 9 };
  if (/^[0-9]$/.test(key)) return { key, code: `Digit${key}`, windowsVirtualKeyCode: key.charCodeAt(0), text: key };
  if (/^[a-z]$/i.test(key))
    return { key, code: `Key${key.toUpperCase()}`, windowsVirtualKeyCode: key.toUpperCase().charCodeAt(0), text: key };
  if (key === '-') return { key, code: 'Minus', windowsVirtualKeyCode: 189, text: key };
  return { key, code: '', windowsVirtualKeyCode: 0, text: key };
}
