import { approval, open, role, session } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { announceScan } from '../scanner/scanner-module.js';
import { DevicesService } from './devices-service.js';
import type { DevicesOptions } from './devices-service.js';
import { listHid, listSerialPorts, openHid } from './discovery.js';

/** The real drivers: serialport, node-hid, TCP/serial/USB printers. */
export function createDevicesService(ctx: TerminalContext, options: DevicesOptions = {}): DevicesService {
  return new DevicesService(ctx, {
    listSerialPorts,
    listHid: () => listHid(),
    openHid,
    onScan: (raw, source) => {
      announceScan(ctx, raw, source);
    },
    ...options,
  });
}

/**
 * The peripherals' setup, status, tests and print queue. Looking is open (IT sets a till up and
 * reads its status before anyone logs in); changing the setup needs a manager (`manage`: the
 * printer's address decides where receipts with members' names go); opening the drawer is a
 * no-sale (cash staff, a manager's approval unless a manager); reprinting, retrying, cancelling
 * and previewing a receipt need a session. Every audited action is recorded with who passed the
 * guard — never with anything from the renderer's input, which is not trusted.
 */
export function devicesModule(ctx: TerminalContext, devices: DevicesService): DomainModule<'devices'> {
  // Starting opens ports and may start the virtual printer: it runs in the background, and a
  // failure is logged, never fatal to the terminal.
  devices.start().catch((error: unknown) => ctx.log('devices failed to start', error));
  return {
    handlers: {
      profile: open(() => devices.profile()),
      saveProfile: role('manage', (profile, { staff }) => devices.saveProfile(profile, staff.id)),
      listSerialPorts: open(() => devices.listSerialPorts()),
      listHid: open(() => devices.listHid()),
      status: open(({ refresh }) => (refresh ? devices.refreshStatus() : devices.status())),
      testPrint: open(() => devices.testPrint()),
      openDrawer: approval('cash', 'no_sale', ({ reason }, { staff, approvedBy }) =>
        devices.openDrawer({ kind: 'test', staffId: staff.id, note: reason, ...(approvedBy ? { approvedBy: approvedBy.id } : {}) }),
      ),
      jobs: open(({ limit }) => devices.jobs(limit)),
      retryJob: session(({ jobId }, { staff }) => devices.retryJob(jobId, staff.id)),
      cancelJob: session(({ jobId }, { staff }) => devices.cancelJob(jobId, staff.id)),
      reprint: session(({ jobId }, { staff }) => devices.reprint(jobId, staff.id)),
      receiptPreview: session(({ jobId, receiptNo, png }) => devices.preview({ jobId, receiptNo }, png ?? false)),
    },
    close: () => devices.close(),
  };
}
