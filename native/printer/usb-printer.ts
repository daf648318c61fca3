import { constants } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { PrinterLinkError } from './printer-connection.js';
import type { PrinterConnection } from './printer-connection.js';

/**
 * The USB printer class device (`/dev/usb/lp0` on Linux). Written to only: the kernel's usblp
 * driver can read back, but many printers never answer on it, so status is not asked for and the
 * queue reports it as unknown.
 */
export async function openUsbPrinter(path: string): Promise<PrinterConnection> {
  // Write-only, never create or truncate: an unplugged printer's missing /dev/usb/lp0 (or a
  // mistyped path) must fail, not become a regular file that every receipt "prints" into.
  const file = await openFile(path, constants.O_WRONLY).catch((error: NodeJS.ErrnoException) => {
    throw new PrinterLinkError(`${path}: ${error.code ?? error.message}`);
  });
  let open = true;
  let closed = false;
  return {
    kind: 'usb',
    bidirectional: false,
    get open() {
      return open;
    },
    write: async (bytes) => {
      if (!open) throw new PrinterLinkError(`${path} is closed`);
      try {
        await file.write(bytes);
      } catch (error) {
        open = false;
        throw new PrinterLinkError(`${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    },
    request: () => Promise.reject(new PrinterLinkError(`${path} is write-only: no status`)),
    close: async () => {
      open = false;
      if (closed) return;
      closed = true;
      await file.close().catch(() => undefined);
    },
  };
}
