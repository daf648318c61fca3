/**
 * The device's sync state as the terminal shows it (the top-bar pill, the sync screen, the
 * provisioning overlay). Made by the device's replicator (sync/client), carried to the renderer by
 * the terminal's API (main/api), so it lives here, below both.
 */

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
  /**
   * This device's clock against HQ's, measured from the time HQ stamps on its answers: `offsetMs`
   * is HQ's time minus the device's. The device signs its requests with HQ's time meanwhile, so it
   * keeps syncing, but receipts and the business day still use its own clock: `off` (more than
   * CLOCK_OFF_MS apart) is for IT to fix. Absent until HQ answered.
   */
  deviceClock?: { offsetMs: number; off: boolean };
  /** Whether HQ's live channel is up (changes arrive in seconds); while it is down the device polls. Absent without HQ. */
  live?: boolean;
};

/** How far the device's clock may be from HQ's before the sync state calls it off. */
export const CLOCK_OFF_MS = 60_000;
