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

export function devicesModule(ctx: TerminalContext, devices: DevicesService): DomainModule<'devices'> {
  // Starting opens ports and may start the virtual printer: it runs in the background, and a
  // failure is logged, never fatal to the terminal.
  devices.start().catch((error: unknown) => ctx.log('devices failed to start', error));
  return {
    handlers: {
      profile: () => devices.profile(),
      saveProfile: (profile) => devices.saveProfile(profile, null),
      listSerialPorts: () => devices.listSerialPorts(),
      listHid: () => devices.listHid(),
      status: ({ refresh }) => (refresh ? devices.refreshStatus() : devices.status()),
      testPrint: () => devices.testPrint(),
      openDrawer: ({ reason, staffId }) => devices.openDrawer({ kind: 'test', staffId: staffId ?? null, note: reason }),
      jobs: ({ limit }) => devices.jobs(limit),
      retryJob: ({ jobId }) => devices.retryJob(jobId, null),
      cancelJob: ({ jobId }) => devices.cancelJob(jobId, null),
      reprint: ({ jobId }) => devices.reprint(jobId, null),
      receiptPreview: ({ jobId, receiptNo, png }) => devices.preview({ jobId, receiptNo }, png ?? false),
    },
    close: () => devices.close(),
  };
}
