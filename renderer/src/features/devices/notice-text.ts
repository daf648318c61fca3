import { describeError } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { DevicesNotice } from './devices-store.js';

export function noticeTone(notice: DevicesNotice): 'error' | 'info' {
  // "May have opened" must stay on screen until someone has looked at the drawer.
  return notice.kind === 'error' || notice.kind === 'drawer-uncertain' ? 'error' : 'info';
}

/** One sentence for the banner, naming what failed ("The test page could not be queued: …"). */
export function noticeText(t: Translate, notice: DevicesNotice): string {
  switch (notice.kind) {
    case 'error': {
      const reason =
        notice.error.code === 'BAD_INPUT' && notice.action === 'save' ? t('devices.profile.badInput') : describeError(t, notice.error);
      return t(`devices.failed.${notice.action}`, { reason });
    }
    case 'test-queued':
      return t('devices.notice.testQueued');
    case 'reprint-queued':
      return t('devices.notice.reprintQueued');
    case 'drawer-opened':
      return t('devices.notice.drawerOpened');
    case 'drawer-uncertain':
      return t('devices.notice.drawerUncertain');
    case 'profile-saved':
      return t('devices.notice.profileSaved');
  }
}
