import { ListenedChannel } from './channel.js';
import type { Channel } from './channel.js';
import type { RequestFrame } from './contract.js';

/** What the Electron preload posts to the page, with the port in `ports[0]`. */
export const PORT_MESSAGE = 'shopfloor:port';

/**
 * The Electron transport: frames as structured clones over a MessagePort that the preload
 * hands to the page. Until the port arrives the channel is simply not open. A later port
 * (main re-created it) replaces the current one, which counts as a reconnect.
 */
export class MessagePortChannel extends ListenedChannel implements Channel {
  private port: MessagePort | undefined;
  private readonly onWindowMessage = (event: MessageEvent) => {
    if (event.data !== PORT_MESSAGE) return;
    const port = event.ports[0];
    if (port) this.adopt(port);
  };

  constructor(private readonly target: Window) {
    super();
    target.addEventListener('message', this.onWindowMessage);
  }

  send(frame: RequestFrame): boolean {
    if (!this.port) return false;
    this.port.postMessage(frame);
    return true;
  }

  isOpen(): boolean {
    return this.port !== undefined;
  }

  dispose(): void {
    this.target.removeEventListener('message', this.onWindowMessage);
    this.drop();
  }

  private adopt(port: MessagePort): void {
    this.drop();
    this.port = port;
    port.onmessage = (event: MessageEvent) => this.listeners.emitFrame(event.data);
    // Chromium fires 'close' on an entangled port whose other end went away (main crashed or
    // closed it); older engines never fire it, and then only the call timeout catches a dead main.
    port.addEventListener('close', () => {
      if (this.port === port) this.drop();
    });
    port.start();
    this.listeners.emitOpen();
  }

  private drop(): void {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    port.onmessage = null;
    port.close();
    this.listeners.emitClose();
  }
}
