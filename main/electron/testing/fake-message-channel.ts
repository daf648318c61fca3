import { EventEmitter } from 'node:events';

/**
 * Stand-in for Electron's MessagePortMain, which cannot run without the Electron binary:
 * the same surface the adapter uses (message/close events, start, postMessage with structured
 * clones delivered asynchronously, close that tells the other end).
 */
export class FakePort extends EventEmitter {
  other: FakePort | undefined;
  closed = false;

  postMessage(message: unknown): void {
    const other = this.other;
    if (this.closed || !other || other.closed) return;
    const data = structuredClone(message);
    setImmediate(() => other.emit('message', { data, ports: [] }));
  }

  start(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const other = this.other;
    if (other && !other.closed) setImmediate(() => other.emit('close'));
  }
}

/** Stand-in for MessageChannelMain: two connected FakePorts. */
export class FakeMessageChannel {
  readonly port1 = new FakePort();
  readonly port2 = new FakePort();

  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}
