import type { ScannerErrorCounts, ScannerProfile, ScannerStatus } from '../api/contract.js';
import { HidScannerDriver } from '../../native/scanner/hid-scanner.js';
import type { HidDeviceLike } from '../../native/scanner/hid-scanner.js';
import { SerialScanner } from '../../native/scanner/serial-scanner.js';

/** Opens a HID device by vendor/product id (node-hid in the app; a fake in tests). */
export type OpenHid = (vendorId: number, productId: number) => HidDeviceLike;

type Running = { profile: ScannerProfile; driver: SerialScanner | HidScannerDriver | null; status: ScannerStatus };

const noErrors = (): ScannerErrorCounts => ({ garbage: 0, overlong: 0, partial: 0, io: 0 });

/**
 * The serial and HID scanners of the profile, started and stopped as the profile changes. Each
 * scan goes to `onScan` (main classifies it and emits `scanned`); every problem is counted in
 * the scanner's status, never thrown.
 */
export class ScannerDrivers {
  private running: Running[] = [];

  constructor(
    private readonly deps: {
      onScan: (raw: string, source: 'serial' | 'hid') => void;
      onChange: () => void;
      openHid: OpenHid;
      log: (message: string, detail?: unknown) => void;
    },
  ) {}

  statuses(): ScannerStatus[] {
    return this.running.map((r) => ({ ...r.status, errors: { ...r.status.errors } }));
  }

  async apply(profiles: ScannerProfile[]): Promise<void> {
    await this.stopAll();
    this.running = profiles.map((profile) => this.startOne(profile));
    this.deps.onChange();
  }

  private startOne(profile: ScannerProfile): Running {
    const status: ScannerStatus = {
      id: profile.id,
      kind: profile.kind,
      enabled: profile.enabled,
      connected: false,
      scans: 0,
      errors: noErrors(),
      lastError: null,
    };
    const running: Running = { profile, driver: null, status };
    if (!profile.enabled) return running;
    const source = profile.kind;
    const driver =
      profile.kind === 'serial'
        ? new SerialScanner({
            ...profile.line,
            terminator: profile.terminator,
            maxLength: profile.maxLength,
            idleFlushMs: profile.idleFlushMs,
          })
        : new HidScannerDriver({ open: () => this.deps.openHid(profile.vendorId, profile.productId) });
    driver.on('scan', (raw) => {
      status.scans++;
      this.deps.onScan(raw, source);
    });
    driver.on('problem', (p) => {
      status.errors[p.kind]++;
      status.lastError = p.detail;
      this.deps.onChange();
    });
    driver.on('connected', () => {
      status.connected = true;
      this.deps.onChange();
    });
    driver.on('disconnected', (why) => {
      status.connected = false;
      status.lastError = why;
      this.deps.onChange();
    });
    driver.start();
    running.driver = driver;
    return running;
  }

  async stopAll(): Promise<void> {
    const old = this.running;
    this.running = [];
    for (const r of old) await r.driver?.stop();
  }
}
