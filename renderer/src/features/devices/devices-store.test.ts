// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createDevicesStore, upsertJob } from './devices-store.js';
import { fakeDevicesApi } from './devices-test-api.js';
import { noticeTone } from './notice-text.js';
import type { DeviceProfile, DevicesStatus, PrintJobView } from './devices-types.js';

const status: DevicesStatus = {
  printer: {
    configured: false,
    simulated: true,
    connection: 'tcp',
    reachable: true,
    online: true,
    coverOpen: false,
    paperEnd: false,
    paperNearEnd: false,
    problem: null,
    lastError: null,
    checkedAt: '2026-11-22T10:00:00.000Z',
  },
  drawer: { configured: true, open: false, lastOpenedAt: null },
  scanners: [],
  queue: { queued: 0, held: 0, failed: 0 },
};

const profile: DeviceProfile = {
  scanners: [],
  printer: { connection: { kind: 'tcp', host: '192.168.1.50', port: 9100 }, mode: 'text-gb18030', paperMm: 80, logo: false },
  drawer: { kind: 'printer', pulse: { pin: 0, onMs: 50, offMs: 500 } },
};

function job(id: string, over: Partial<PrintJobView> = {}): PrintJobView {
  return {
    id,
    kind: 'test',
    state: 'queued',
    heldReason: null,
    attempts: 0,
    error: null,
    copy: false,
    reprintOf: null,
    receiptNo: null,
    createdAt: `2026-11-22T10:00:0${id.slice(-1)}.000Z`,
    updatedAt: `2026-11-22T10:00:0${id.slice(-1)}.000Z`,
    printedAt: null,
    ...over,
  };
}

const baseAnswers = {
  'devices.status': { ok: true as const, value: status },
  'devices.jobs': { ok: true as const, value: [job('j1', { state: 'done' })] },
  'devices.profile': { ok: true as const, value: profile },
};

describe('devices store', () => {
  it('loads status, queue and profile, and follows status and job events', async () => {
    const fake = fakeDevicesApi(baseAnswers);
    const store = createDevicesStore(fake.api);
    await store.getState().load();
    expect(store.getState().status?.printer.simulated).toBe(true);
    expect(store.getState().jobs.map((j) => j.id)).toEqual(['j1']);
    expect(store.getState().draft).toEqual(profile);

    fake.emit('devices.status', { ...status, printer: { ...status.printer, paperEnd: true, problem: 'paper_end' } });
    expect(store.getState().status?.printer.problem).toBe('paper_end');
    fake.emit('devices.job', job('j2', { state: 'held', heldReason: 'paper_end' }));
    expect(store.getState().jobs.map((j) => [j.id, j.state])).toEqual([
      ['j2', 'held'],
      ['j1', 'done'],
    ]);
  });

  it('never moves a job back to an older state when events arrive out of order', () => {
    const done = job('j3', { state: 'done', updatedAt: '2026-11-22T10:00:09.000Z' });
    const lateSending = job('j3', { state: 'sending', updatedAt: '2026-11-22T10:00:05.000Z' });
    expect(upsertJob(upsertJob([], done), lateSending)).toEqual([done]);
  });

  it('queues a test page: the job shows at once and the user is told', async () => {
    const fake = fakeDevicesApi({ ...baseAnswers, 'devices.testPrint': { ok: true, value: job('j5') } });
    const store = createDevicesStore(fake.api);
    await store.getState().testPrint();
    expect(store.getState().jobs[0]).toMatchObject({ id: 'j5', state: 'queued' });
    expect(store.getState().notice).toEqual({ kind: 'test-queued', jobId: 'j5' });
    expect(store.getState().busy['test-print']).toBeUndefined();
  });

  it('says which action failed, with main’s error', async () => {
    const fake = fakeDevicesApi({ ...baseAnswers, 'devices.retryJob': { ok: false, error: { code: 'CONFLICT', message: 'job is done' } } });
    const store = createDevicesStore(fake.api);
    await store.getState().retryJob('j1');
    expect(store.getState().notice).toEqual({ kind: 'error', action: 'retry', error: { code: 'CONFLICT', message: 'job is done' } });
    expect(store.getState().busy['job:j1']).toBeUndefined();
  });

  it('keeps why USB-HID is unavailable for the HID list to show, instead of a passing banner', async () => {
    const message = 'USB-HID unavailable: libusb-1.0 is not installed';
    const fake = fakeDevicesApi({ ...baseAnswers, 'devices.listHid': { ok: false, error: { code: 'DEVICE_UNAVAILABLE', message } } });
    const store = createDevicesStore(fake.api);
    await store.getState().listHid();
    expect(store.getState()).toMatchObject({ hidUnavailable: message, hidDevices: undefined, notice: undefined });
    expect(store.getState().busy.hid).toBeUndefined();
  });

  it('shows BAD_INPUT issues at their fields, keeps the draft, and clears a field’s error when it is edited', async () => {
    const fake = fakeDevicesApi({
      ...baseAnswers,
      'devices.saveProfile': {
        ok: false,
        error: {
          code: 'BAD_INPUT',
          message: 'Invalid input',
          issues: [
            { path: 'printer.connection.port', message: 'Too big' },
            { path: 'drawer.pulse.onMs', message: 'Too small' },
          ],
        },
      },
    });
    const store = createDevicesStore(fake.api);
    await store.getState().load();
    store
      .getState()
      .editProfile(
        (d) => ({ ...d, printer: d.printer && { ...d.printer, connection: { kind: 'tcp', host: '10.0.0.9', port: 70000 } } }),
        ['printer.connection.port'],
      );
    await store.getState().saveProfile();
    expect(fake.calls.find((c) => c.key === 'devices.saveProfile')?.input).toMatchObject({ printer: { connection: { port: 70000 } } });
    expect(store.getState().fieldErrors).toEqual({ 'printer.connection.port': 'Too big', 'drawer.pulse.onMs': 'Too small' });
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().notice).toMatchObject({ kind: 'error', action: 'save' });

    store
      .getState()
      .editProfile(
        (d) => ({ ...d, printer: d.printer && { ...d.printer, connection: { kind: 'tcp', host: '10.0.0.9', port: 9100 } } }),
        ['printer.connection.port'],
      );
    expect(store.getState().fieldErrors).toEqual({ 'drawer.pulse.onMs': 'Too small' });
  });

  it('saves the profile and takes main’s version as the new baseline', async () => {
    const saved: DeviceProfile = { ...profile, drawer: { kind: 'none' } };
    const fake = fakeDevicesApi({ ...baseAnswers, 'devices.saveProfile': { ok: true, value: saved } });
    const store = createDevicesStore(fake.api);
    await store.getState().load();
    store.getState().editProfile((d) => ({ ...d, drawer: { kind: 'none' } }));
    expect(store.getState().dirty).toBe(true);
    await store.getState().saveProfile();
    expect(store.getState()).toMatchObject({ dirty: false, saved, draft: saved, notice: { kind: 'profile-saved' } });
  });

  it('keeps unsaved edits when the profile is reloaded after a reconnect, and discards on request', async () => {
    const fake = fakeDevicesApi(baseAnswers);
    const store = createDevicesStore(fake.api);
    await store.getState().load();
    store.getState().editProfile((d) => ({ ...d, drawer: { kind: 'none' } }));
    fake.reconnect();
    await expect.poll(() => fake.calls.filter((c) => c.key === 'devices.profile').length).toBe(2);
    expect(store.getState().draft?.drawer).toEqual({ kind: 'none' });
    store.getState().discardProfile();
    expect(store.getState()).toMatchObject({ dirty: false, draft: profile });
  });

  it('opens the drawer with the reason, says when it may have opened, and reports a drawer that is not there', async () => {
    let answer: 'ok' | 'uncertain' | 'missing' = 'ok';
    const fake = fakeDevicesApi({
      ...baseAnswers,
      'devices.openDrawer': () =>
        answer === 'ok'
          ? { ok: true, value: { configured: true, open: true, lastOpenedAt: '2026-11-22T10:01:00.000Z' } }
          : answer === 'uncertain'
            ? { ok: true, value: { configured: true, open: true, lastOpenedAt: '2026-11-22T10:01:00.000Z', uncertain: true } }
            : { ok: false, error: { code: 'DEVICE_NOT_CONFIGURED', message: 'no drawer' } },
    });
    const store = createDevicesStore(fake.api);
    await store.getState().load();
    expect(await store.getState().openDrawer('硬件测试')).toBe(true);
    expect(fake.calls.at(-1)).toEqual({ key: 'devices.openDrawer', input: { reason: '硬件测试' } });
    expect(store.getState().status?.drawer.open).toBe(true);
    answer = 'uncertain';
    // The kick left but was not confirmed in time: the screen says it may have opened, and keeps it up.
    expect(await store.getState().openDrawer('找零')).toBe(true);
    expect(store.getState().notice).toEqual({ kind: 'drawer-uncertain' });
    expect(noticeTone(store.getState().notice!)).toBe('error');
    expect(store.getState().status?.drawer).toEqual({ configured: true, open: true, lastOpenedAt: '2026-11-22T10:01:00.000Z' });
    answer = 'missing';
    expect(await store.getState().openDrawer('找零')).toBe(false);
    expect(store.getState().notice).toMatchObject({ kind: 'error', action: 'drawer', error: { code: 'DEVICE_NOT_CONFIGURED' } });
  });
});
