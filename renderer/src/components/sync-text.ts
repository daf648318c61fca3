import type { Translate } from '../i18n/translate.js';
import type { SyncState } from '../api/contract.js';

/** Never says "synced" while anything is still waiting to reach HQ. */
export function syncText(t: Translate, sync: SyncState): string {
  const count = sync.pendingEvents;
  switch (sync.hq) {
    case 'not_configured':
      return t('sync.notConfigured', { count });
    case 'offline':
      return t('sync.offline', { count });
    case 'online':
      return count > 0 ? t('sync.syncing', { count }) : t('sync.synced');
  }
}
