import { empty, method } from '../define.js';
import type { I18nName } from './common.js';
import type { Settings } from './settings.js';

export type StoreProblem = {
  reason: 'corrupt' | 'unreadable' | 'too_new' | 'io';
  path: string;
  message: string;
};

export type Provisioning = {
  /** `running`: the first full pull of a fresh device; the till waits for it. */
  phase: 'running' | 'done';
  /** Entities applied so far and how many HQ said there are (both across all scopes). */
  applied: number;
  total: number;
};

export type SyncState = {
  /**
   * `not_configured`: no HQ (standalone demo or not enrolled); `online`: the last exchange with
   * HQ worked; `offline`: HQ could not be reached (the till keeps selling); `revoked`: HQ refused
   * this device — it stops syncing until IT enrols it again.
   */
  hq: 'not_configured' | 'online' | 'offline' | 'revoked';
  /** Events in the outbox not yet accepted by HQ: never "all synced" while this is above 0. */
  pendingEvents: number;
  /** The last time a push and pull round completed. */
  lastSyncAt: string | null;
  /** Events HQ rejected, kept on the dead-letter list for a person to look at. */
  deadLetters: number;
  /** Why the last attempt failed (an HQ error code or `network`), null after a good round. */
  lastError: { code: string; message: string } | null;
  provisioning: Provisioning | null;
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
