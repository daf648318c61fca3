import { fileURLToPath } from 'node:url';

/** The parts of a frame the sender check looks at (Electron's `WebFrameMain` has them all). */
export type FrameInfo = {
  readonly processId: number;
  readonly routingId: number;
  readonly url: string;
  readonly parent: unknown;
};

function filePathOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:') return undefined;
    // The renderer may route by hash or carry a query; the document is still ours.
    parsed.search = '';
    parsed.hash = '';
    // fileURLToPath rejects a host (a UNC share off Windows) and encoded slashes, and
    // turns Chromium's and Node's differently escaped spellings of one path into one string.
    return fileURLToPath(parsed);
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` is the app's own page (`dist/renderer/index.html`, inside app.asar when packaged).
 * Only that page may be navigated to and only that page gets the API port: everything else —
 * another file, another scheme, a remote page — is treated as hostile.
 */
export function isAppPage(url: string, appPagePath: string, ignoreCase = process.platform === 'win32'): boolean {
  const path = filePathOf(url);
  if (path === undefined) return false;
  return ignoreCase ? path.toLowerCase() === appPagePath.toLowerCase() : path === appPagePath;
}

/**
 * Why a frame that asked for the API port must not get it, or undefined when it is our window's
 * top-level frame showing our page. The port drives the terminal, so a sub-frame or a page that
 * navigated elsewhere gets nothing.
 */
export function senderProblem(frame: FrameInfo | null, mainFrame: FrameInfo, appPagePath: string): string | undefined {
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'the sender is a sub-frame';
  if (frame.processId !== mainFrame.processId || frame.routingId !== mainFrame.routingId) {
    return "the sender is not our window's main frame";
  }
  if (!isAppPage(frame.url, appPagePath)) return `the sender shows ${frame.url}, not the app page`;
  return undefined;
}
