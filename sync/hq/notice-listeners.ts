import { DEVICE_CHANNEL, parseDeviceNotice } from './auth.js';
import type { Authenticator, DeviceNoticeKind } from './auth.js';
import type { HqLog, LiveHub } from './context.js';
import type { HqDb } from './db.js';
import type { FeedHeads } from './feed-heads.js';

/** The change-log channel the entity triggers NOTIFY (migration 0001) with the changed scope. */
export const CHANGE_CHANNEL = 'sf_change';

export type NoticeListenerOptions = {
  db: HqDb;
  live: LiveHub;
  auth: Pick<Authenticator, 'forget' | 'forgetAll' | 'enrolled'>;
  log: HqLog;
  /** Learns of every changed scope, and of the change listener's losses and returns (feed-heads.ts). */
  feedHeads?: Pick<FeedHeads, 'changed' | 'listening' | 'lost' | 'heard'>;
  /** Called after this process handled an sf_device notice (its cache no longer holds the device): tests wait on it. */
  onDeviceNotice?: (notice: { what: DeviceNoticeKind; deviceId: string }) => void;
  /** Called once a lost listener is back and has made up for the gap: tests wait on it. */
  onRestored?: (channel: string) => void;
};

/**
 * What this HQ process LISTENs for: changed scopes (nudges for the live channels) and device
 * notices (enrolled: a known id; revoked or rotated keys: drop the cached device, close a revoked
 * device's channels).
 *
 * The listening connections die with a PostgreSQL restart or failover and come back by themselves
 * (db.ts); what was notified in between is lost, so when one is back this process acts as if
 * everything had changed: every live channel is nudged once (its device pulls and catches up),
 * every cached device is forgotten, and the channels of devices revoked meanwhile are closed.
 * Without this an HQ process sent no nudge again after a restart, and idle devices (guides'
 * tablets, which only pull when nudged or every 30 s … minutes) stopped hearing of prices and staff.
 */
export async function listenForNotices(options: NoticeListenerOptions): Promise<() => Promise<void>> {
  const { db, live, auth, log } = options;
  const stops: (() => Promise<void>)[] = [];
  const heads = options.feedHeads;
  const stopAll = async (): Promise<void> => {
    heads?.lost();
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
  };
  try {
    stops.push(
      await db.listen(
        CHANGE_CHANNEL,
        (scope) => {
          // Barriers (this process's or another's, feed-barrier.ts) are no scope.
          if (scope.startsWith('~')) {
            heads?.heard(scope);
            return;
          }
          // Heads first: a device nudged by the live hub must not be answered from a head this notice ended.
          heads?.changed(scope);
          live.changed(scope);
        },
        {
          onLost: () => heads?.lost(),
          onRestored: () => {
            heads?.listening();
            log('change listener back: nudging every live channel once');
            live.nudgeAll();
            options.onRestored?.(CHANGE_CHANNEL);
          },
        },
      ),
    );
    heads?.listening();
    stops.push(
      await db.listen(
        DEVICE_CHANNEL,
        (payload) => {
          const notice = parseDeviceNotice(payload);
          if (!notice) return;
          if (notice.what === 'enrolled') auth.enrolled(notice.deviceId);
          else auth.forget(notice.deviceId);
          if (notice.what === 'revoked') live.revoked(notice.deviceId);
          options.onDeviceNotice?.(notice);
        },
        {
          onRestored: () => {
            auth.forgetAll();
            closeRevokedChannels(db, live).then(
              () => options.onRestored?.(DEVICE_CHANNEL),
              (error: unknown) => log('revocation check after the device listener came back failed', String(error)),
            );
          },
        },
      ),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/** Closes the live channels of devices revoked while no notice could arrive. */
async function closeRevokedChannels(db: HqDb, live: LiveHub): Promise<void> {
  const ids = live.devices();
  if (ids.length === 0) return;
  const rows = await db.query<{ id: string }>(`SELECT id::text AS id FROM device WHERE status = 'revoked' AND id = ANY($1::uuid[])`, [ids]);
  for (const row of rows) live.revoked(row.id);
}
