import { empty, method } from '../define.js';
import type { I18nName } from './common.js';
import type { Settings } from './settings.js';
import type { SyncState } from '../../../sync/protocol/sync-state.js';

export type { Provisioning, SyncState } from '../../../sync/protocol/sync-state.js';

export type StoreProblem = {
  reason: 'corrupt' | 'unreadable' | 'too_new' | 'io';
  path: string;
  message: string;
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
