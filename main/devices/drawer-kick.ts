import type { DrawerProfile, PrinterProblem } from '../api/contract.js';
import type { Deadline } from '../core/peripherals.js';
import { AppError } from '../api/errors.js';
import { drawerKick } from '../../native/printer/escpos-commands.js';
import { readRealtimeStatus } from '../../native/printer/open-printer.js';
import { problemOf } from '../../native/printer/printer-status.js';
import type { RealtimeStatus } from '../../native/printer/printer-status.js';
import { openSerialPrinter } from '../../native/printer/serial-printer.js';
import type { PrinterLink } from './printer-link.js';

/**
 * Sends the drawer's kick pulse through the printer or the drawer's own serial line. Resolves
 * only when the hardware took the pulse; anything else is DEVICE_NOT_CONFIGURED or
 * DEVICE_UNAVAILABLE with the reason, so only a real opening is logged. The pulse goes out only
 * if `deadline` still lets it (see `Deadline`): a kick reported failed never fires afterwards.
 */
export async function kickDrawer(
  drawer: Exclude<DrawerProfile, { kind: 'none' }>,
  link: PrinterLink,
  onPrinterStatus: (status: RealtimeStatus, problem: PrinterProblem | null) => void,
  deadline: Deadline,
): Promise<void> {
  const pulse = drawerKick(drawer.pulse);
  const claim = () => {
    if (!deadline.claim())
      throw new AppError('DEVICE_UNAVAILABLE', 'The drawer was not opened: it was already reported as not opened (too slow)');
  };
  try {
    if (drawer.kind === 'printer') {
      if (!link.configured) throw new AppError('DEVICE_NOT_CONFIGURED', 'The drawer opens through the printer, and no printer is set up');
      await link.use(async (c) => {
        // An offline printer (paper out, cover open) keeps the pulse in its buffer: the drawer
        // stays shut now and springs open later, unlogged. Refuse instead of logging an opening.
        const status = await readRealtimeStatus(c);
        const problem = status ? problemOf(status) : null;
        if (status) onPrinterStatus(status, problem);
        if (problem)
          throw new AppError('DEVICE_UNAVAILABLE', `The drawer opens through the printer, which reports ${problem.replace('_', ' ')}`);
        claim();
        await c.write(pulse);
      });
    } else {
      const serial = await openSerialPrinter(drawer.line);
      try {
        claim();
        await serial.write(pulse);
      } finally {
        await serial.close();
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('DEVICE_UNAVAILABLE', `The drawer could not be opened: ${(error as Error).message}`);
  }
}
