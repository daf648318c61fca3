import { serialPort } from '../serial-port.js';
import { AnswerBuffer, PrinterLinkError } from './printer-connection.js';
import type { PrinterConnection } from './printer-connection.js';

/** The line settings of a serial printer or drawer. */
export type SerialLineOptions = {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
};

/**
 * Answers still owed on each serial line when its link was closed. The line outlives the link
 * (the print queue reopens it after a timeout), and the printer answers an old question on the
 * new link: it must be consumed there, not read as the answer to the new link's first question.
 * A TCP link needs none of this: a new connection never carries the old one's bytes.
 */
const owedByPath = new Map<string, number>();

/** Opens a serial (RS-232 / USB-CDC) printer; rejects with PrinterLinkError when the port cannot be opened. */
export async function openSerialPrinter(line: SerialLineOptions): Promise<PrinterConnection> {
  const port = serialPort(line);
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(new PrinterLinkError(`${line.path}: ${error.message}`)) : resolve())),
  );
  const answers = new AnswerBuffer(owedByPath.get(line.path) ?? 0);
  owedByPath.delete(line.path);
  let open = true;
  port.on('data', (chunk: Buffer) => answers.push(chunk));
  port.on('error', (error: Error) => {
    open = false;
    answers.fail(new PrinterLinkError(`${line.path}: ${error.message}`));
  });
  port.on('close', () => {
    open = false;
    answers.fail(new PrinterLinkError(`${line.path} closed`));
  });
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      if (!open) return reject(new PrinterLinkError(`${line.path} is closed`));
      port.write(Buffer.from(bytes), (error) => {
        if (error) return reject(new PrinterLinkError(`${line.path}: ${error.message}`));
        // drain: the bytes left our buffer for the line, so a status query after them answers for them.
        port.drain((e) => (e ? reject(new PrinterLinkError(`${line.path}: ${e.message}`)) : resolve()));
      });
    });
  return {
    kind: 'serial',
    bidirectional: true,
    get open() {
      return open;
    },
    write,
    request: (query, length, timeoutMs) => answers.ask(write, query, length, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        const owed = answers.owed();
        if (owed > 0) owedByPath.set(line.path, owed);
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
