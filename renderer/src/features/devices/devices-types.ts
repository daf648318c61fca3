/**
 * The peripherals' types, named for the renderer. Derived through the contract door
 * (api/contract.ts) rather than imported from main/, so the renderer still sees main only
 * through Input/Output of its calls and the payloads of its events.
 */
import type { Events, Input, Output } from '../../api/contract.js';

export type DeviceProfile = Output<'devices', 'profile'>;
export type DevicesStatus = Events['devices.status'];
export type PrintJobView = Events['devices.job'];
export type PrinterStatus = DevicesStatus['printer'];
export type DrawerStatus = DevicesStatus['drawer'];
export type ScannerStatus = DevicesStatus['scanners'][number];
export type PrinterProfile = NonNullable<DeviceProfile['printer']>;
export type PrinterConnection = PrinterProfile['connection'];
export type DrawerProfile = DeviceProfile['drawer'];
export type DrawerPulse = Extract<DrawerProfile, { kind: 'printer' }>['pulse'];
export type ScannerProfile = DeviceProfile['scanners'][number];
export type SerialScannerProfile = Extract<ScannerProfile, { kind: 'serial' }>;
export type HidScannerProfile = Extract<ScannerProfile, { kind: 'hid' }>;
export type SerialLine = SerialScannerProfile['line'];
export type SerialPortInfo = Output<'devices', 'listSerialPorts'>[number];
export type HidDeviceInfo = Output<'devices', 'listHid'>[number];
export type ReceiptPreviewData = Output<'devices', 'receiptPreview'>;
export type PrintJobState = PrintJobView['state'];
export type SaveProfileInput = Input<'devices', 'saveProfile'>;
