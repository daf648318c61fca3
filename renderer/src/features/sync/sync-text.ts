import type { Translate } from '../../i18n/translate.js';
import type { Language, SyncState } from '../../api/contract.js';
import { formatStoreTime } from '../../ui/format/event-time.js';

/** Never says "synced" while anything is still waiting to reach HQ or the first download runs. */
export function syncText(t: Translate, sync: SyncState): string {
  const count = sync.pendingEvents;
  switch (sync.hq) {
    case 'not_configured':
      return t('sync.notConfigured', { count });
    case 'offline':
      return t('sync.offline', { count });
    case 'revoked':
      return t('sync.revoked');
    case 'online':
      return count > 0 || provisioning(sync) ? t('sync.syncing', { count }) : t('sync.synced');
  }
}

/** Whether the pill may look settled (green): online, nothing waiting, nothing rejected. */
export function syncSettled(sync: SyncState): boolean {
  return sync.hq === 'online' && sync.pendingEvents === 0 && sync.deadLetters === 0 && !provisioning(sync);
}

function provisioning(sync: SyncState): boolean {
  return sync.provisioning?.phase === 'running';
}

/** The pill's second line: rejected events first (someone must act), else when the last round completed, in store time. */
export function syncDetail(t: Translate, sync: SyncState, timeZone: string | undefined, language: Language, now?: Date): string | null {
  if (sync.deadLetters > 0) return t('sync.deadLetters', { count: sync.deadLetters });
  if (sync.hq === 'not_configured') return null;
  if (!sync.lastSyncAt) return t('sync.neverSynced');
  return t('sync.lastSync', { time: formatStoreTime(sync.lastSyncAt, timeZone, language, now) });
}
