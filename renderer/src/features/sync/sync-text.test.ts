// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { SyncState } from '../../api/contract.js';
import { createTranslate } from '../../i18n/translate.js';
import { syncDetail, syncSettled, syncText } from './sync-text.js';

const base: SyncState = { hq: 'online', pendingEvents: 0, lastSyncAt: null, deadLetters: 0, lastError: null, provisioning: null };
const state = (over: Partial<SyncState>): SyncState => ({ ...base, ...over });

describe('syncText', () => {
  const zh = createTranslate('zh-CN');
  const en = createTranslate('en');

  it('shows what is waiting when HQ is not connected', () => {
    expect(syncText(zh, state({ hq: 'not_configured', pendingEvents: 5 }))).toBe('未连接总部 · 5 条待同步');
    expect(syncText(en, state({ hq: 'not_configured', pendingEvents: 5 }))).toBe('HQ not connected · 5 waiting');
    expect(syncText(en, state({ hq: 'offline', pendingEvents: 3 }))).toBe('HQ offline · 3 waiting');
  });

  it('claims "synced" only when online with nothing pending', () => {
    expect(syncText(en, state({ pendingEvents: 1 }))).toBe('Syncing · 1 waiting');
    expect(syncText(en, state({ pendingEvents: 0, lastSyncAt: '2025-01-01T00:00:00Z' }))).toBe('Synced with HQ');
    expect(syncSettled(state({ pendingEvents: 1 }))).toBe(false);
    expect(syncSettled(state({ deadLetters: 1 }))).toBe(false);
    expect(syncSettled(state({ hq: 'offline' }))).toBe(false);
    expect(syncSettled(state({}))).toBe(true);
  });

  it('does not claim "synced" while the first download is still running', () => {
    const downloading = state({ provisioning: { phase: 'running', applied: 50_000, total: 124_409 } });
    expect(syncText(en, downloading)).toBe('Syncing · 0 waiting');
    expect(syncSettled(downloading)).toBe(false);
    expect(syncSettled(state({ provisioning: { phase: 'done', applied: 10, total: 10 } }))).toBe(true);
  });

  it('says a revoked device is revoked, whatever waits', () => {
    expect(syncText(zh, state({ hq: 'revoked', pendingEvents: 2 }))).toBe('设备已停用');
    expect(syncText(en, state({ hq: 'revoked' }))).toBe('Device revoked');
  });
});

describe('syncDetail', () => {
  const en = createTranslate('en');
  const zh = createTranslate('zh-CN');
  const now = new Date('2026-11-22T06:00:00Z');

  it('shows the last sync in store time (UTC instant, Shanghai wall clock)', () => {
    expect(syncDetail(en, state({ lastSyncAt: '2026-11-22T05:59:30Z' }), 'Asia/Shanghai', 'en', now)).toBe('Last sync 13:59:30');
    expect(syncDetail(zh, state({ lastSyncAt: '2026-11-22T05:59:30Z' }), 'Asia/Shanghai', 'zh-CN', now)).toBe('上次同步 13:59:30');
  });

  it('puts rejected events before the time, and says when nothing has synced yet', () => {
    expect(syncDetail(en, state({ deadLetters: 2, lastSyncAt: '2026-11-22T05:59:30Z' }), 'Asia/Shanghai', 'en', now)).toBe('2 rejected');
    expect(syncDetail(en, state({ hq: 'offline' }), 'Asia/Shanghai', 'en', now)).toBe('Never synced');
    expect(syncDetail(en, state({ hq: 'not_configured' }), 'Asia/Shanghai', 'en', now)).toBeNull();
  });
});
