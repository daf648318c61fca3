// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createDevicesWedgeStore, SCAN_LOG_SIZE } from './devices-wedge-store.js';
import { LOCAL_NOT_A_NUMBER } from '../../ui/field-errors.js';
import { fakeDevicesApi } from './devices-test-api.js';
import type { ScanEvent, Settings } from '../../api/contract.js';

const settings: Settings = {
  language: 'zh-CN',
  kiosk: false,
  wedge: { maxInterKeyMs: 50, minLength: 6, terminator: 'Enter', prefix: '', suffix: '' },
};
const scan = (id: string): ScanEvent => ({
  id,
  source: 'wedge',
  raw: '6901234567892',
  kind: 'product',
  code: '6901234567892',
  at: '2026-11-22T10:00:00Z',
});

describe('devices wedge store', () => {
  it('saves the thresholds as numbers through settings.update', async () => {
    const fake = fakeDevicesApi({
      'settings.update': (input) => ({
        ok: true,
        value: { ...settings, wedge: { ...settings.wedge, ...(input as { wedge: object }).wedge } },
      }),
    });
    const store = createDevicesWedgeStore(fake.api);
    store.getState().load(settings);
    store.getState().edit({ maxInterKeyMs: ' 90 ', suffix: '#' });
    await store.getState().save();
    expect(fake.calls[0]?.input).toEqual({ wedge: { maxInterKeyMs: 90, minLength: 6, terminator: 'Enter', prefix: '', suffix: '#' } });
    expect(store.getState()).toMatchObject({ saveState: 'saved', dirty: false, draft: { maxInterKeyMs: '90', suffix: '#' } });
  });

  it('does not send a field that is not a whole number, and names it', async () => {
    const fake = fakeDevicesApi({});
    const store = createDevicesWedgeStore(fake.api);
    store.getState().load(settings);
    store.getState().edit({ minLength: '6.5' });
    await store.getState().save();
    expect(fake.calls).toEqual([]);
    expect(store.getState().fieldErrors).toEqual({ minLength: LOCAL_NOT_A_NUMBER });
  });

  it('puts main’s range errors next to the field they are about', async () => {
    const fake = fakeDevicesApi({
      'settings.update': {
        ok: false,
        error: {
          code: 'BAD_INPUT',
          message: 'Invalid input',
          issues: [{ path: 'wedge.maxInterKeyMs', message: 'Too big: expected number to be <=200' }],
        },
      },
    });
    const store = createDevicesWedgeStore(fake.api);
    store.getState().load(settings);
    store.getState().edit({ maxInterKeyMs: '500' });
    await store.getState().save();
    expect(store.getState().fieldErrors).toEqual({ maxInterKeyMs: 'Too big: expected number to be <=200' });
    expect(store.getState().error).toBeUndefined();
    // The user's 500 stays in the box to be corrected; settings arriving meanwhile do not overwrite it.
    store.getState().load(settings);
    expect(store.getState().draft?.maxInterKeyMs).toBe('500');
  });

  it('keeps the last scans, newest first, each once', () => {
    const store = createDevicesWedgeStore(fakeDevicesApi({}).api);
    for (let i = 0; i < SCAN_LOG_SIZE + 3; i++) store.getState().recordScan(scan(`s${i}`));
    store.getState().recordScan(scan(`s${SCAN_LOG_SIZE + 2}`));
    const ids = store.getState().scans.map((s) => s.id);
    expect(ids).toHaveLength(SCAN_LOG_SIZE);
    expect(ids[0]).toBe(`s${SCAN_LOG_SIZE + 2}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('switches kiosk mode and reports a failure', async () => {
    const fake = fakeDevicesApi({ 'settings.update': { ok: false, error: { code: 'INTERNAL', message: 'disk full' } } });
    const store = createDevicesWedgeStore(fake.api);
    await store.getState().setKiosk(true);
    expect(fake.calls[0]?.input).toEqual({ kiosk: true });
    expect(store.getState()).toMatchObject({ kioskSaving: false, error: { code: 'INTERNAL' } });
  });
});
