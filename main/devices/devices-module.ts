import { open } from '../api/guards.js';
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
 * The peripherals' setup, status, tests and print queue. Every audited action (profile, drawer,
 * retry, cancel, reprint) is recorded with whoever holds the session — from the guard, never from
 * the renderer's input, which is not trusted. These handlers need no session today: the device
 * settings screen is reachable before login (IT sets a till up before anyone can log in).
 */
export function devicesModule(ctx: TerminalContext, devices: DevicesService): DomainModule<'devices'> {
  // Starting opens ports and may start the virtual printer: it runs in the background, and a
  // failure is logged, never fatal to the terminal.
  devices.start().catch((error: unknown) => ctx.log('devices failed to start', error));
  const who = (present: { id: string } | null) => present?.id ?? null;
  return {
    handlers: {
      profile: open(() => devices.profile()),
      saveProfile: open((profile, { present }) => devices.saveProfile(profile, who(present))),
      listSerialPorts: open(() => devices.listSerialPorts()),
      listHid: open(() => devices.listHid()),
      status: open(({ refresh }) => (refresh ? devices.refreshStatus() : devices.status())),
      testPrint: open(() => devices.testPrint()),
      openDrawer: open(({ reason }, { present }) => devices.openDrawer({ kind: 'test', staffId: who(present), note: reason })),
      jobs: open(({ limit }) => devices.jobs(limit)),
      retryJob: open(({ jobId }, { present }) => devices.retryJob(jobId, who(present))),
      cancelJob: open(({ jobId }, { present }) => devices.cancelJob(jobId, who(present))),
      reprint: open(({ jobId }, { present }) => devices.reprint(jobId, who(present))),
      receiptPreview: open(({ jobId, receiptNo, png }) => devices.preview({ jobId, receiptNo }, png ?? false)),
    },
    close: () => devices.close(),
  };
}
