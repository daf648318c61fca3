import { afterEach, describe, expect, it } from 'vitest';
import { startSocatPair } from '../../fixtures/socat-pair.js';
import type { SocatPair } from '../../fixtures/socat-pair.js';
import { VirtualPrinter } from '../../fixtures/virtual-printer.js';
import { readRealtimeStatus } from './open-printer.js';
import { PrinterLinkError, PrinterTimeoutError } from './printer-connection.js';
import type { PrinterConnection } from './printer-connection.js';
import { openSerialPrinter } from './serial-printer.js';
import { openTcpPrinter } from './tcp-printer.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Link = { printer: VirtualPrinter; connection: PrinterConnection };

async function tcpLink(): Promise<Link> {
  const printer = new VirtualPrinter({ outDir: null });
  const port = await printer.listenTcp(0);
  cleanups.push(() => printer.close());
  const connection = await openTcpPrinter({ host: '127.0.0.1', port });
  cleanups.push(() => connection.close());
  return { printer, connection };
}

async function serialLink(): Promise<Link> {
  const pair: SocatPair = await startSocatPair();
  cleanups.push(() => pair.close());
  const printer = new VirtualPrinter({ outDir: null });
  await printer.attachSerial(pair.a, 115200);
  cleanups.push(() => printer.close());
  const connection = await openSerialPrinter({ path: pair.b, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 });
  cleanups.push(() => connection.close());
  return { printer, connection };
}

describe.each([
  ['a network printer (TCP on 127.0.0.1)', tcpLink],
  ['a serial printer (socat pty pair)', serialLink],
])('status answers on %s', (_name, link) => {
  it('does not take the late answer to a timed-out question as the answer to the next one', async () => {
    const { printer, connection } = await link();
    // The cover is open: DLE EOT 2 answers 0x16 — bit 2, which in DLE EOT 1 means "drawer open".
    printer.set({ coverOpen: true });
    // DLE EOT 1 is answered; DLE EOT 2's answer comes late.
    printer.holdStatus(1);
    await expect(readRealtimeStatus(connection, 50)).rejects.toBeInstanceOf(PrinterTimeoutError);
    // The cashier closed the cover; the status is asked again on the same link (the print worker
    // retries after a send). The printer answers the old question first, then the new ones.
    printer.set({ coverOpen: false });
    const again = readRealtimeStatus(connection, 5000);
    printer.releaseStatus();
    expect(await again).toEqual({ online: true, drawerOpen: false, coverOpen: false, error: false, paperEnd: false, paperNearEnd: false });
  });

  it('stops trusting the link when a question times out behind one still unanswered (the printer may have lost one)', async () => {
    const { printer, connection } = await link();
    printer.holdStatus();
    await expect(readRealtimeStatus(connection, 50)).rejects.toBeInstanceOf(PrinterTimeoutError);
    await expect(readRealtimeStatus(connection, 50)).rejects.toBeInstanceOf(PrinterTimeoutError);
    printer.releaseStatus();
    // Which answer belongs to which question is no longer known: a new link is needed.
    await expect(readRealtimeStatus(connection, 5000)).rejects.toBeInstanceOf(PrinterLinkError);
  });

  it('skips bytes that cannot be a status answer (XON/XOFF, an ASB block, noise) instead of reading them as one', async () => {
    const { printer, connection } = await link();
    printer.set({ paperNearEnd: true });
    // XOFF, XON, then a 4-byte ASB block (first byte 0x10: bits 0–1 clear; the rest bit 4 clear).
    printer.noiseBeforeNextAnswer(Uint8Array.of(0x13, 0x11, 0x10, 0x00, 0x0c, 0x00));
    expect(await readRealtimeStatus(connection, 5000)).toEqual({
      online: true,
      drawerOpen: false,
      coverOpen: false,
      error: false,
      paperEnd: false,
      paperNearEnd: true,
    });
  });
});

describe('a serial line reopened after a status question timed out (the line outlives the link)', () => {
  const coverOpenThenClosed = async () => {
    const pair: SocatPair = await startSocatPair();
    cleanups.push(() => pair.close());
    const printer = new VirtualPrinter({ outDir: null });
    await printer.attachSerial(pair.a, 115200);
    cleanups.push(() => printer.close());
    const line = { path: pair.b, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 } as const;
    const first = await openSerialPrinter(line);
    printer.set({ coverOpen: true });
    printer.holdStatus(1);
    await expect(readRealtimeStatus(first, 50)).rejects.toBeInstanceOf(PrinterTimeoutError);
    // The print queue does not trust a link that failed: it closes it and opens the line again.
    await first.close();
    const second = await openSerialPrinter(line);
    cleanups.push(() => second.close());
    printer.set({ coverOpen: false });
    return { printer, line, second };
  };

  it("does not take the old link's late answer for the new link's first question", async () => {
    const { printer, second } = await coverOpenThenClosed();
    const again = readRealtimeStatus(second, 5000);
    printer.releaseStatus();
    expect(await again).toMatchObject({ drawerOpen: false, coverOpen: false });
  });

  it('does not wait forever for an owed answer that never comes (printer switched off and on): the next link reads again', async () => {
    const { printer, line, second } = await coverOpenThenClosed();
    printer.releaseStatus({ lost: true });
    let link = second;
    let status = await readRealtimeStatus(link, 50).catch((error: unknown) => error);
    if (status instanceof PrinterTimeoutError) {
      // The owed answer and this question's cannot be told apart: one more new link, then it is clean.
      await link.close();
      link = await openSerialPrinter(line);
      const third = link;
      cleanups.push(() => third.close());
      status = await readRealtimeStatus(link, 5000);
    }
    expect(status).toMatchObject({ drawerOpen: false, coverOpen: false });
  });
});
