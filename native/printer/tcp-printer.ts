import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { AnswerBuffer, PrinterLinkError } from './printer-connection.js';
import type { PrinterConnection } from './printer-connection.js';

/** Opens a raw TCP link ("port 9100") to a network printer; rejects with PrinterLinkError when it cannot connect in time. */
export async function openTcpPrinter(options: { host: string; port: number; connectTimeoutMs?: number }): Promise<PrinterConnection> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new PrinterLinkError(`no connection to ${options.host}:${options.port} within ${options.connectTimeoutMs ?? 3000} ms`));
    }, options.connectTimeoutMs ?? 3000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new PrinterLinkError(`${error.code ?? error.message} ${options.host}:${options.port}`));
    });
  });
  socket.setNoDelay(true);
  const answers = new AnswerBuffer();
  let open = true;
  const broke = (message: string) => {
    open = false;
    answers.fail(new PrinterLinkError(message));
  };
  socket.on('data', (chunk: Buffer) => answers.push(chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => broke(`${error.code ?? error.message} ${options.host}:${options.port}`));
  socket.on('close', () => broke(`connection to ${options.host}:${options.port} closed`));

  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      if (!open) {
        reject(new PrinterLinkError(`connection to ${options.host}:${options.port} is closed`));
        return;
      }
      socket.write(bytes, (error) => (error ? reject(new PrinterLinkError(error.message)) : resolve()));
    });

  return {
    kind: 'tcp',
    bidirectional: true,
    get open() {
      return open;
    },
    write,
    request: (query, length, timeoutMs) => answers.ask(write, query, length, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
        // A printer that never closes its side must not keep us waiting.
        setTimeout(() => socket.destroy(), 500).unref();
      }),
  };
}
