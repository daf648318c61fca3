import { empty, method } from '../define.js';
import type { I18nName } from './common.js';
import type { Settings } from './settings.js';

export type StoreProblem = {
  reason: 'corrupt' | 'unreadable' | 'too_new' | 'io';
  path: string;
  message: string;
};

export type SyncState = {
  /** HQ sync arrives with the sync issue; until then the terminal runs standalone. */
  hq: 'not_configured' | 'online' | 'offline';
  pendingEvents: number;
  lastSyncAt: string | null;
};

export type SystemStatus =
  | {
      state: 'ready';
      appVersion: string;
      deviceId: string;
      store: { id: string; code: string; name: I18nName; timezone: string };
      catalog: { styles: number; skus: number };
      settings: Settings;
      sync: SyncState;
    }
  | { state: 'store_error'; appVersion: string; problem: StoreProblem };

export const systemContract = {
  /** What the terminal is, whether its store opened, and its sync state. Never fails. */
  status: method<SystemStatus>()(empty),
};

export type SystemEvents = { 'sync.state': SyncState };
