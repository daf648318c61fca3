import type { WedgeDetector } from './wedge-detector.js';

/**
 * Feeds every keydown of the window to the detector, in the capture phase so it sees the keys
 * before any field or handler does. Consumed keys are stopped there: the focused field never
 * receives a scanner's keystroke. Returns a function that detaches.
 */
export function attachWedge(win: Window, detector: WedgeDetector): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    const verdict = detector.handleKey({
      key: event.key,
      time: event.timeStamp,
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      metaKey: event.metaKey,
      // keyCode 229 is how Chromium marks keys an IME (Chinese pinyin, …) is handling.
      isComposing: event.isComposing || event.keyCode === 229,
      repeat: event.repeat,
    });
    if (verdict === 'consume') {
      event.preventDefault();
      event.stopPropagation();
    }
  };
  // Keys held back when the window loses focus belong to the human; give them back now.
  const onBlur = () => detector.flush();
  win.addEventListener('keydown', onKeyDown, { capture: true });
  win.addEventListener('blur', onBlur);
  return () => {
    win.removeEventListener('keydown', onKeyDown, { capture: true });
    win.removeEventListener('blur', onBlur);
    detector.dispose();
  };
}
