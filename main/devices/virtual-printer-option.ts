import { join } from 'node:path';
import type { VirtualPrinterFactory } from './devices-service.js';

/**
 * `TerminalOptions.virtualPrinter` (the host's `--virtual-printer`, or `SHOPFLOOR_VIRTUAL_PRINTER`):
 * `on` (any free port) or a port number starts the virtual ESC/POS
 * printer when no printer is configured — the browser host sets `on` for demos and e2e tests;
 * anything else (and the Electron app by default) leaves it off, so a store terminal without a
 * printer says so instead of printing into a simulator.
 */
export function virtualPrinterOption(value: string | undefined, dataDir: string): VirtualPrinterFactory | null {
  if (value === undefined || value === '' || value === 'off') return null;
  const port = value === 'on' ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  return async () => {
    // Loaded only when it is used: a store terminal with a real printer never loads the simulator
    // (and its PNG encoder) at start-up.
    const { startVirtualPrinter } = await import('../../fixtures/virtual-printer.js');
    const outDir = join(dataDir, 'virtual-printer');
    const { printer, port: actual } = await startVirtualPrinter({ outDir, port });
    return { port: actual, outDir, close: () => printer.close() };
  };
}
