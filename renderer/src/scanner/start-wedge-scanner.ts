import { attachWedge } from './attach-wedge.js';
import { insertTextAtCaret } from './insert-text.js';
import { WedgeDetector } from './wedge-detector.js';
import type { Api } from '../api/api-client.js';
import type { ApiError, WedgeSettings } from '../api/contract.js';

export type WedgeScanner = {
  configure: (settings: WedgeSettings) => void;
  stop: () => void;
};

/**
 * Runs the keyboard-wedge scanner for the page: detected scans go to main (`scanner.submit`),
 * which classifies them and answers every renderer with a `scanned` event. The screens act on
 * that event only — the submit's own answer is ignored unless it failed — so serial and HID
 * scanners, which never pass through here, behave exactly the same.
 */
export function startWedgeScanner(win: Window, api: Api, onSubmitFailed: (error: ApiError) => void): WedgeScanner {
  const detector = new WedgeDetector(
    {},
    {
      onScan: (raw) => {
        void api.call('scanner', 'submit', { raw, source: 'wedge' }).then((result) => {
          if (!result.ok) onSubmitFailed(result.error);
        });
      },
      onReplay: (text) => {
        insertTextAtCaret(win.document, text);
      },
    },
    undefined,
    () => inputPending(win),
  );
  const detach = attachWedge(win, detector);
  return { configure: (settings) => detector.configure(settings), stop: detach };
}

type Scheduling = { isInputPending?: (options?: { includeContinuous?: boolean }) => boolean };

/** Chromium-only API (not in TypeScript's DOM lib); elsewhere nothing is ever "pending". */
function inputPending(win: Window): boolean {
  const scheduling = (win.navigator as Navigator & { scheduling?: Scheduling }).scheduling;
  return scheduling?.isInputPending?.({ includeContinuous: false }) ?? false;
}
