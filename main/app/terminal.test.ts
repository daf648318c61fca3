import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFrame, Result, ScanEvent } from '../api/contract.js';
import { fileKeyStore } from '../store/key-store.js';
import { UUID_RE } from '../../sync/protocol/uuidv7.js';
import { tempDir } from '../testing/temp-dir.js';
import { sampleSeeder } from '../../fixtures/sample-seeder.js';
import { openTerminal, STORE_FILE } from './terminal.js';
import type { Terminal } from './terminal-types.js';

const ctx = { transport: 'test' as const, connectionId: 'c' };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(dataDir: string, sampleData: { skus: number; customers: number } | false = { skus: 300, customers: 20 }): Terminal {
  const terminal = openTerminal({
    dataDir,
    keyStore: fileKeyStore(join(dataDir, 'store.key')),
    appVersion: '1.2.3',
    log: () => undefined,
    ...(sampleData ? { seed: sampleSeeder(sampleData) } : {}),
  });
  cleanups.unshift(() => terminal.close());
  return terminal;
}
function newDir(): string {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}
function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('openTerminal', () => {
  it('opens a new device on the sample store, with an identity that survives a restart', async () => {
    const dir = newDir();
    const first = open(dir);
    const status = first.status();
    expect(status.state).toBe('ready');
    if (status.state !== 'ready') return;
    expect(status.deviceId).toMatch(UUID_RE);
    expect(status.store).toMatchObject({ id: 'loc-S001', code: 'S001', timezone: 'Asia/Shanghai' });
    expect(status.catalog.skus).toBe(300);
    expect(status.sync).toEqual({
      hq: 'not_configured',
      pendingEvents: 0,
      lastSyncAt: null,
      deadLetters: 0,
      lastError: null,
      provisioning: null,
    });
    value(await first.dispatch('settings', 'update', { language: 'en' }, ctx));
    first.close();

    const again = open(dir);
    const after = again.status();
    expect(after.state === 'ready' && after.deviceId).toBe(status.deviceId);
    // Not seeded twice, and the unsynced event is still there.
    expect(after.state === 'ready' && after.catalog.skus).toBe(300);
    expect(after.state === 'ready' && after.sync.pendingEvents).toBe(1);
    expect(after.state === 'ready' && after.settings.language).toBe('en');
  });

  it('starts empty when told not to load sample data (a device waiting for HQ)', () => {
    const status = open(newDir(), false).status();
    expect(status.state === 'ready' && status.catalog).toEqual({ styles: 0, skus: 0 });
    expect(status.state === 'ready' && status.store.name.en).toBe('No store assigned');
  });

  it('classifies scans and announces them to every listener', async () => {
    const terminal = open(newDir());
    const frames: EventFrame[] = [];
    terminal.events.subscribe((f) => frames.push(f));
    const product = value(await terminal.dispatch('scanner', 'submit', { raw: '036000291452', source: 'wedge' }, ctx)) as ScanEvent;
    expect(product).toMatchObject({ kind: 'product', code: '0036000291452', symbology: 'upca', source: 'wedge' });
    const misread = value(await terminal.dispatch('scanner', 'submit', { raw: '6901234567893', source: 'wedge' }, ctx)) as ScanEvent;
    expect(misread).toMatchObject({ kind: 'malformed', reason: 'bad_check_digit' });
    expect(frames.map((f) => [f.name, (f.payload as { id: string }).id])).toEqual([
      ['scanned', product.id],
      ['scanned', misread.id],
    ]);
    const bad = await terminal.dispatch('scanner', 'submit', { raw: '', source: 'wedge' }, ctx);
    expect(bad.ok || bad.error.code).toBe('BAD_INPUT');
  });

  it('shows a damaged store as a store error and refuses everything else', async () => {
    const dir = newDir();
    open(dir).close();
    writeFileSync(join(dir, STORE_FILE), Buffer.alloc(8192, 0x42));
    const terminal = open(dir);
    const status = value(await terminal.dispatch('system', 'status', {}, ctx));
    expect(status).toMatchObject({
      state: 'store_error',
      appVersion: '1.2.3',
      problem: { reason: 'unreadable', path: join(dir, STORE_FILE) },
    });
    const lookup = await terminal.dispatch('catalog', 'lookup', { query: '6901234567892' }, ctx);
    expect(lookup.ok || lookup.error.code).toBe('STORE_UNAVAILABLE');
  });
});
