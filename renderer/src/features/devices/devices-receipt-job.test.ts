// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { watchReceiptJob } from './devices-receipt-job.js';
import { fakeDevicesApi } from './devices-test-api.js';
import type { PrintJobView } from './devices-types.js';

const job = (id: string, receiptNo: string | null, copy = false): PrintJobView => ({
  id,
  kind: 'sale',
  state: 'done',
  heldReason: null,
  attempts: 1,
  error: null,
  copy,
  reprintOf: null,
  receiptNo,
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  printedAt: null,
});

describe('watchReceiptJob', () => {
  it('finds the original job of a receipt already in the queue, not its copy', async () => {
    const fake = fakeDevicesApi({ 'devices.jobs': { ok: true, value: [job('copy', 'R1', true), job('other', 'R2'), job('orig', 'R1')] } });
    const found: string[] = [];
    watchReceiptJob(fake.api, 'R1', (id) => found.push(id));
    await expect.poll(() => found).toEqual(['orig']);
  });

  it('waits for the job to be created when the preview comes first, and reports it once', async () => {
    const fake = fakeDevicesApi({ 'devices.jobs': { ok: true, value: [] } });
    const found: string[] = [];
    watchReceiptJob(fake.api, 'R9', (id) => found.push(id));
    await expect.poll(() => fake.calls.length).toBe(1);
    fake.emit('devices.job', job('copy', 'R9', true));
    fake.emit('devices.job', job('someone-else', 'R8'));
    expect(found).toEqual([]);
    fake.emit('devices.job', job('j9', 'R9'));
    fake.emit('devices.job', { ...job('j9', 'R9'), state: 'done' });
    expect(found).toEqual(['j9']);
  });

  it('reports nothing after it is stopped', async () => {
    const fake = fakeDevicesApi({ 'devices.jobs': { ok: true, value: [] } });
    const found: string[] = [];
    const stop = watchReceiptJob(fake.api, 'R3', (id) => found.push(id));
    stop();
    fake.emit('devices.job', job('j3', 'R3'));
    expect(found).toEqual([]);
  });
});
