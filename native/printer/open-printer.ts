import { statusQuery } from './escpos-commands.js';
import type { PrinterConnection } from './printer-connection.js';
import { parseRealtimeStatus } from './printer-status.js';
import type { RealtimeStatus } from './printer-status.js';
import { openSerialPrinter } from './serial-printer.js';
import type { SerialLineOptions } from './serial-printer.js';
import { openTcpPrinter } from './tcp-printer.js';
import { openUsbPrinter } from './usb-printer.js';

/** Where a printer is (the device profile's `printer.connection`). */
export type PrinterConnectionProfile =
  { kind: 'tcp'; host: string; port: number } | { kind: 'serial'; line: SerialLineOptions } | { kind: 'usb'; path: string };

/** Opens the link a printer profile describes. */
export function openPrinter(profile: PrinterConnectionProfile, connectTimeoutMs = 3000): Promise<PrinterConnection> {
  switch (profile.kind) {
    case 'tcp':
      return openTcpPrinter({ host: profile.host, port: profile.port, connectTimeoutMs });
    case 'serial':
      return openSerialPrinter(profile.line);
    case 'usb':
      return openUsbPrinter(profile.path);
  }
}

/** Asks `DLE EOT 1`, `2` and `4` (one byte each) and decodes them; null on a write-only link. */
export async function readRealtimeStatus(connection: PrinterConnection, timeoutMs = 1500): Promise<RealtimeStatus | null> {
  if (!connection.bidirectional) return null;
  const [printer] = await connection.request(statusQuery(1), 1, timeoutMs);
  const [offline] = await connection.request(statusQuery(2), 1, timeoutMs);
  const [paper] = await connection.request(statusQuery(4), 1, timeoutMs);
  return parseRealtimeStatus(printer!, offline!, paper!);
}
