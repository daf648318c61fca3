import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../api/contract.js';
import { STORE_FILE } from '../app/terminal.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import { readOutbox } from '../store/outbox.js';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';

/**
 * Logged out or locked, nobody at the till may open the drawer, leave kiosk mode, point the
 * printer elsewhere or reprint a receipt (issue "Money and sync correctness", item 13).
 */
let t: TestTerminal;
const ctx = { transport: 'test' as const, connectionId: 'c' };
const call = (domain: string, method: string, input: unknown = {}) => t.terminal.dispatch(domain, method, input, ctx);
const codeOf = (r: Result<unknown>) => (r.ok ? 'ok' : r.error.code);
const PROFILE = {
  scanners: [],
  printer: { connection: { kind: 'tcp', host: '203.0.113.9', port: 9100 }, mode: 'text-gb18030', paperMm: 80 },
  drawer: { kind: 'none' },
};

beforeAll(() => {
  t = testTerminal({ skus: 50, customers: 5 });
});
afterAll(() => t.cleanup());

describe('device and settings guards', () => {
  it('refuses the drawer, the printer address, kiosk mode, the scanner thresholds and reprints to nobody logged in', async () => {
    expect(codeOf(await call('devices', 'openDrawer', { reason: 'just open it' }))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('devices', 'saveProfile', PROFILE))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('settings', 'update', { kiosk: false }))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('settings', 'update', { wedge: { minLength: 4 } }))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('devices', 'reprint', { jobId: 'any' }))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('devices', 'receiptPreview', { receiptNo: 'S001-0001-261204-0001' }))).toBe('NOT_LOGGED_IN');
    expect(codeOf(await call('sales', 'reprint', { receiptNo: 'S001-0001-261204-0001' }))).toBe('NOT_LOGGED_IN');
    // What anyone at the device may do: switch the language, read the status and the profile.
    expect(codeOf(await call('settings', 'update', { language: 'en' }))).toBe('ok');
    expect(codeOf(await call('devices', 'status', {}))).toBe('ok');
    expect(codeOf(await call('devices', 'profile', {}))).toBe('ok');
  });

  it('refuses them on a locked screen too', async () => {
    expect(codeOf(await call('staff', 'login', { code: 'S001-01', pin: '0101' }))).toBe('ok');
    expect(codeOf(await call('staff', 'lock', {}))).toBe('ok');
    expect(codeOf(await call('settings', 'update', { kiosk: false }))).toBe('SESSION_LOCKED');
    expect(codeOf(await call('devices', 'openDrawer', { reason: 'locked' }))).toBe('SESSION_LOCKED');
    expect(codeOf(await call('staff', 'unlock', { pin: '0101' }))).toBe('ok');
    expect(codeOf(await call('staff', 'logout', {}))).toBe('ok');
  });

  it('lets a cashier open the drawer only as a no-sale a manager approved, and keeps setup changes for managers', async () => {
    expect(codeOf(await call('staff', 'login', { code: 'S001-02', pin: '0202' }))).toBe('ok');
    expect(codeOf(await call('devices', 'openDrawer', { reason: 'change for the float' }))).toBe('APPROVAL_REQUIRED');
    expect(codeOf(await call('devices', 'saveProfile', PROFILE))).toBe('FORBIDDEN');
    expect(codeOf(await call('settings', 'update', { kiosk: false }))).toBe('FORBIDDEN');
    // A logged-in cashier may reprint (the receipt is not on this device here: NOT_FOUND, past the guard).
    expect(codeOf(await call('sales', 'reprint', { receiptNo: 'S001-0001-261204-0001' }))).toBe('NOT_FOUND');
    const approval = await call('staff', 'approve', { managerCode: 'S001-01', pin: '0101', action: 'no_sale' });
    const token = approval.ok ? (approval.value as { token: string }).token : '';
    // Past the guard: this terminal has no drawer configured, which is the next thing it says.
    expect(codeOf(await call('devices', 'openDrawer', { reason: 'change for the float', approvalToken: token }))).toBe(
      'DEVICE_NOT_CONFIGURED',
    );
    expect(codeOf(await call('staff', 'logout', {}))).toBe('ok');

    expect(codeOf(await call('staff', 'login', { code: 'S001-01', pin: '0101' }))).toBe('ok');
    expect(codeOf(await call('settings', 'update', { kiosk: true }))).toBe('ok');
    expect(codeOf(await call('devices', 'saveProfile', PROFILE))).toBe('ok');
    expect(codeOf(await call('staff', 'logout', {}))).toBe('ok');

    // Both changes are audited with the manager who made them.
    const reader = openStore({
      path: join(t.dataDir, STORE_FILE),
      keyStore: fileKeyStore(join(t.dataDir, 'store.key')),
      quickCheck: false,
    });
    const audits = readOutbox(reader.db, 1000).filter((e) => e.type === 'device.settings_changed' || e.type === 'device.profile_changed');
    reader.close();
    expect(audits.slice(-2).map((e) => [e.type, e.staffId])).toEqual([
      ['device.settings_changed', 'stf-S001-01'],
      ['device.profile_changed', 'stf-S001-01'],
    ]);
  });
});
