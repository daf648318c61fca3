import type { DomainModule, TerminalContext } from '../app/context.js';
import { announceScan } from '../scanner/scanner-module.js';
import { DevicesService } from './devices-service.js';
import type { DevicesOptions } from './devices-service.js';
import { listHid, listSerialPorts, openHid } from './discovery.js';

/** The real drivers: serialport, node-hid, TCP/serial/USB printers. */
export function createDevicesService(ctx: TerminalContext, options: DevicesOptions = {}): DevicesService {
  return new DevicesService(ctx, {
    listSerialPorts,
    listHid,
    openHid,
    onScan: (raw, source) => {
      announceScan(ctx, raw, source);
    },
    ...options,
  });
}

/**
 * @param actor The staff member logged in on this terminal, if any: every audited device action
 *   (profile, drawer, retry, cancel, reprint) is recorded with who did it. Never taken from the
 *   renderer's input, which is not trusted.
 */
export function devicesModule(
  ctx: TerminalContext,
  devices: DevicesService,
  actor: () => string | null = () => null,
): DomainModule<'devices'> {
  // Starting opens ports and may start the virtual printer: it runs in the background, and a
  // failure is logged, never fatal to the terminal.
  devices.start().catch((error: unknown) => ctx.log('devices failed to start', error));
  return {
    handlers: {
      profile: () => devices.profile(),
      saveProfile: (profile) => devices.saveProfile(profile, actor()),
      listSerialPorts: () => devices.listSerialPorts(),
      listHid: () => devices.listHid(),
      status: ({ refresh }) => (refresh ? devices.refreshStatus() : devices.status()),
      testPrint: () => devices.testPrint(),
      openDrawer: ({ reason }) => devices.openDrawer({ kind: 'test', staffId: actor(), note: reason }),
      jobs: ({ limit }) => devices.jobs(limit),
      retryJob: ({ jobId }) => devices.retryJob(jobId, actor()),
      cancelJob: ({ jobId }) => devices.cancelJob(jobId, actor()),
      reprint: ({ jobId }) => devices.reprint(jobId, actor()),
      receiptPreview: ({ jobId, receiptNo, png }) => devices.preview({ jobId, receiptNo }, png ?? false),
    },
    close: () => devices.close(),
  };
}
