import type { RequestFrame } from './contract.js';

/**
 * One connection to main, whatever carries it (WebSocket or MessagePort). The ApiClient owns
 * the request/response/event logic; a channel only moves frames and reports its state.
 *
 * A channel may open and close several times (the WebSocket one reconnects by itself); every
 * close is reported so the client can fail the calls that were in flight.
 */
export type Channel = {
  /** Sends a frame; returns false when the channel is not open (the frame is not queued). */
  send(frame: RequestFrame): boolean;
  isOpen(): boolean;
  /** Frames as received: decoded from JSON on the WebSocket, structured clones on a port. Not yet validated. */
  onFrame(listener: (frame: unknown) => void): () => void;
  onOpen(listener: () => void): () => void;
  onClose(listener: () => void): () => void;
  /** Stops the channel for good (no reconnect). */
  dispose(): void;
};

/** Listener bookkeeping shared by the channel implementations. */
export class ChannelListeners {
  readonly frame = new Set<(frame: unknown) => void>();
  readonly open = new Set<() => void>();
  readonly close = new Set<() => void>();

  emitFrame(frame: unknown): void {
    for (const l of this.frame) l(frame);
  }

  emitOpen(): void {
    for (const l of this.open) l();
  }

  emitClose(): void {
    for (const l of this.close) l();
  }
}

/** The listener half of a Channel, shared by the implementations: they only emit. */
export abstract class ListenedChannel {
  protected readonly listeners = new ChannelListeners();

  onFrame(listener: (frame: unknown) => void): () => void {
    return subscribe(this.listeners.frame, listener);
  }

  onOpen(listener: () => void): () => void {
    return subscribe(this.listeners.open, listener);
  }

  onClose(listener: () => void): () => void {
    return subscribe(this.listeners.close, listener);
  }
}

export function subscribe<L>(set: Set<L>, listener: L): () => void {
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}
