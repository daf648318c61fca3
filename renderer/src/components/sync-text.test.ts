// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTranslate } from '../i18n/translate.js';
import { syncText } from './sync-text.js';

describe('syncText', () => {
  const zh = createTranslate('zh-CN');
  const en = createTranslate('en');

  it('shows what is waiting when HQ is not connected', () => {
    expect(syncText(zh, { hq: 'not_configured', pendingEvents: 5, lastSyncAt: null })).toBe('未连接总部 · 5 条待同步');
    expect(syncText(en, { hq: 'not_configured', pendingEvents: 5, lastSyncAt: null })).toBe('HQ not connected · 5 waiting');
  });

  it('claims "synced" only when online with nothing pending', () => {
    expect(syncText(en, { hq: 'online', pendingEvents: 1, lastSyncAt: null })).toBe('Syncing · 1 waiting');
    expect(syncText(en, { hq: 'online', pendingEvents: 0, lastSyncAt: '2025-01-01T00:00:00Z' })).toBe('Synced with HQ');
  });
});
