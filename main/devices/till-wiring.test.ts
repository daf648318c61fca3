import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { EventFrame, PrintJobView, ReceiptPreview, Result } from '../api/contract.js';
import { testTerminal } from '../testing/test-terminal.js';
import type { TestTerminal } from '../testing/test-terminal.js';
import { generateSampleData } from '../../fixtures/generate.js';
import { STORE_FILE } from '../app/terminal.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import { readOutbox } from '../store/outbox.js';

let t: TestTerminal | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});
const ctx = { transport: 'test' as const, connectionId: 'c' };

it('a cash sale at the till opens the drawer and prints its receipt on the printer; the preview shows it', async () => {
  // The browser host's setting: no printer configured → the virtual printer.
  t = testTerminal({ skus: 200, customers: 20 }, { virtualPrinter: 'on' });
  const call = async <T>(domain: string, method: string, input: unknown = {}): Promise<T> => {
    const r = (await t!.terminal.dispatch(domain, method, input, ctx)) as Result<T>;
    if (!r.ok) throw new Error(`${domain}.${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const simulated = new Promise<void>((resolve) => {
    const off = t!.terminal.events.subscribe((f: EventFrame) => {
      if (f.name === 'devices.status' && (f.payload as { printer: { simulated: boolean } }).printer.simulated) {
        off();
        resolve();
      }
    });
  });
  await simulated;
  // The peripheral profile is the terminal's setup: a manager saves it.
  await call('staff', 'login', { code: 'S001-01', pin: '0101' });
  await call('devices', 'saveProfile', {
    scanners: [],
    printer: null,
    drawer: { kind: 'printer', pulse: { pin: 0, onMs: 100, offMs: 200 } },
  });

  await call('staff', 'login', { code: 'S001-02', pin: '0202' });
  await call('cashup', 'open', { floatFen: 50_000 });
  const sku = generateSampleData({ skus: 200, customers: 20 }).skus.find((s) => s.active)!;
  await call('checkout', 'scan', { code: sku.ean });
  await call('checkout', 'addTender', { method: 'cash', givenFen: sku.price_fen + 1000 });

  const printed = new Promise<PrintJobView>((resolve) => {
    const off = t!.terminal.events.subscribe((f: EventFrame) => {
      const job = f.payload as PrintJobView;
      if (f.name === 'devices.job' && job.kind === 'sale' && job.state === 'done') {
        off();
        resolve(job);
      }
    });
  });
  const result = await call<{ sale: { receiptNo: string }; receipt: { sent: boolean }; drawer: { opened: boolean } | null }>(
    'checkout',
    'complete',
  );
  expect(result.receipt).toEqual({ sent: true });
  expect(result.drawer).toEqual({ opened: true });
  const job = await printed;
  expect(job.receiptNo).toBe(result.sale.receiptNo);

  const text = readFileSync(join(t.dataDir, 'virtual-printer', 'receipt-0001.txt'), 'utf8');
  expect(text).toContain(result.sale.receiptNo);
  expect(existsSync(join(t.dataDir, 'virtual-printer', 'receipt-0001.png'))).toBe(true);
  const preview = await call<ReceiptPreview>('devices', 'receiptPreview', { receiptNo: result.sale.receiptNo });
  expect(preview.jobId).toBe(job.id);
  expect(preview.svg).toContain('<svg');

  const jobs = await call<PrintJobView[]>('devices', 'jobs', { limit: 5 });
  expect(jobs.filter((j) => j.kind === 'sale')).toHaveLength(1);

  // A drawer test from the device screen is a no-sale: the cashier needs a manager's approval, and
  // it is logged with the cashier logged in and the manager who approved — not with whatever staff
  // id the (untrusted) renderer sends.
  const { token } = await call<{ token: string }>('staff', 'approve', { managerCode: 'S001-01', pin: '0101', action: 'no_sale' });
  await call('devices', 'openDrawer', { reason: 'float check', staffId: 'stf-S001-01', approvalToken: token });
  const reader = openStore({ path: join(t.dataDir, STORE_FILE), keyStore: fileKeyStore(join(t.dataDir, 'store.key')), quickCheck: false });
  const opened = readOutbox(reader.db, 1000).filter((e) => e.type === 'device.drawer_opened');
  reader.close();
  expect(opened.at(-1)).toMatchObject({ staffId: 'stf-S001-02', payload: { note: 'float check', approvedBy: 'stf-S001-01' } });
});
