import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSocatPair } from '../fixtures/socat-pair.js';
import type { SocatPair } from '../fixtures/socat-pair.js';
import { VirtualScanner } from '../fixtures/virtual-scanner.js';
import { serialPort } from './serial-port.js';
import type { SerialPortOptions } from './serial-port.js';

let pair: SocatPair;
let port: ReturnType<typeof serialPort> | undefined;

beforeEach(async () => {
  pair = await startSocatPair();
});

afterEach(async () => {
  if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
  port = undefined;
  await pair.close();
});

async function openB() {
  const p = serialPort({ path: pair.b, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
  await new Promise<void>((resolve, reject) => p.open((error) => (error ? reject(error) : resolve())));
  return p;
}

/** The next close of the port and the error it closed with; a liveness bound, not a timing assertion. */
function closes(p: NonNullable<typeof port>): Promise<Error | null> {
  return new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error('the port did not close within 15 s')), 15_000);
    p.once('close', (error: Error | null) => {
      clearTimeout(late);
      resolve(error);
    });
  });
}

describe('a serial port whose device goes away (socat ptys)', () => {
  it('closes with a disconnect when its first read starts after the device hung up', async () => {
    // Linux hangs up the pty when socat ends: from then on every read returns 0 bytes. The stock
    // binding reads again on 0 bytes without end, so a read that starts after the hang-up spins.
    port = await openB();
    await pair.unplug();
    const closed = closes(port);
    port.on('data', () => {}); // flowing: the stream's first read starts now, after the hang-up
    const error = await closed;
    expect(error?.message).toMatch(/hung up/);
    expect((error as { disconnected?: boolean }).disconnected).toBe(true);
    expect(port.isOpen).toBe(false);
  });

  it('still reads what the device sends, then closes with a disconnect when it goes', async () => {
    port = await openB();
    const device = await VirtualScanner.open(pair.a);
    const chunks: Buffer[] = [];
    const got = new Promise<void>((resolve) =>
      port!.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (Buffer.concat(chunks).includes('\r')) resolve();
      }),
    );
    await device.scan('6971111376183');
    await got;
    expect(Buffer.concat(chunks).toString()).toBe('6971111376183\r');
    const closed = closes(port);
    await device.close();
    await pair.unplug();
    expect((await closed) as { disconnected?: boolean } | null).toMatchObject({ disconnected: true });
    expect(port.isOpen).toBe(false);
  });

  // With VMIN=0 and VTIME=0 a non-blocking read of an idle tty returns 0 bytes on Linux (n_tty_read
  // breaks on the zero timeout before it answers EAGAIN): the line is there, just quiet, and would be
  // closed as hung up. serialPort()'s type has no vmin or vtime; one passed anyway is overridden.
  it('does not take a quiet line for a hung-up one, whatever termios timing it is opened with', async () => {
    port = serialPort({ path: pair.b, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, vmin: 0, vtime: 0 } as SerialPortOptions);
    await new Promise<void>((resolve, reject) => port!.open((error) => (error ? reject(error) : resolve())));
    const device = await VirtualScanner.open(pair.a);
    let closedWith: Error | null | undefined;
    port.on('close', (error: Error | null) => (closedWith = error));
    port.on('data', () => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    await device.close();
    expect(closedWith?.message).toBeUndefined();
    expect(port.isOpen).toBe(true);
  });
});
