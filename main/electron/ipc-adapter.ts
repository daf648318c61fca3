import { MessageChannelMain } from 'electron';
import type { BrowserWindow, IpcMainEvent, MessagePortMain } from 'electron';
import type { ServerFrame } from '../api/contract.js';
import { handleFrame } from '../api/dispatcher.js';
import type { Log, Terminal } from '../app/terminal-types.js';
import { senderProblem } from './trusted-page.js';

/** The preload asks for a port on this channel once per page load. */
export const HELLO_CHANNEL = 'shopfloor:hello';
/** Main answers with the port on this channel; the preload hands it to the page under the same name. */
export const PORT_CHANNEL = 'shopfloor:port';

/**
 * Carries frames between one port and the terminal. Thin on purpose: the dispatcher validates
 * and answers, the event bus decides what to push; this only moves structured clones.
 * Returns the function that ends the connection.
 */
function serve(port: MessagePortMain, terminal: Pick<Terminal, 'dispatch' | 'events'>, connectionId: string, log: Log) {
  let open = true;
  const post = (frame: ServerFrame) => {
    if (!open) return;
    try {
      port.postMessage(frame);
    } catch (error) {
      // A payload that cannot be cloned is a bug in main; the connection itself is still fine.
      log(`electron: could not post a ${frame.t} frame on ${connectionId}`, error);
    }
  };
  const onBadFrame = (reason: string) => log(`electron: dropped a frame on ${connectionId}: ${reason}`);

  port.on('message', ({ data, ports }) => {
    // The API never transfers ports to main; close any so they do not stay alive for nothing.
    for (const extra of ports) extra.close();
    handleFrame(terminal.dispatch, data, { transport: 'ipc', connectionId }, onBadFrame)
      .then((response) => {
        if (response) post(response);
      })
      .catch((error: unknown) => log(`electron: a frame failed on ${connectionId}`, error));
  });
  const unsubscribe = terminal.events.subscribe(post);
  const close = () => {
    if (!open) return;
    open = false;
    unsubscribe();
    port.close();
  };
  port.on('close', close);
  port.start();
  return close;
}

/**
 * Serves the terminal's API to `win` over a MessagePort. The port is handed out only to our
 * window's top-level frame while it shows the app page: the API opens the cash drawer, so a
 * sub-frame or a page that got navigated elsewhere is refused and logged.
 */
export function attachIpc(win: BrowserWindow, terminal: Pick<Terminal, 'dispatch' | 'events'>, appPagePath: string, log: Log): void {
  const contents = win.webContents;
  let connections = 0;
  let closeCurrent: (() => void) | undefined;

  // webContents.ipc (not ipcMain): only messages from this window's frames reach this listener.
  contents.ipc.on(HELLO_CHANNEL, (event: IpcMainEvent) => {
    const problem = senderProblem(event.senderFrame, contents.mainFrame, appPagePath);
    if (problem) {
      log(`electron: refused ${HELLO_CHANNEL}: ${problem}`);
      return;
    }
    // A reload says hello again. The old page's port is dead: stop pushing events to it now
    // instead of waiting for its 'close'.
    closeCurrent?.();
    const { port1, port2 } = new MessageChannelMain();
    connections += 1;
    closeCurrent = serve(port1, terminal, `ipc-${contents.id}-${connections}`, log);
    event.sender.postMessage(PORT_CHANNEL, null, [port2]);
  });
  contents.once('destroyed', () => closeCurrent?.());
}
