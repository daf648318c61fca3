import type { syncZhCN } from './sync.zh-CN.js';

/** Texts of the HQ sync parts (pill, provisioning, revoked notice, sync screen), English: exactly the keys of the Chinese ones. */
export const syncEn: { readonly [K in keyof typeof syncZhCN]: string } = {
  'sync.notConfigured': 'HQ not connected · {count} waiting',
  'sync.offline': 'HQ offline · {count} waiting',
  'sync.syncing': 'Syncing · {count} waiting',
  'sync.synced': 'Synced with HQ',

  'sync.revoked': 'Device revoked',
  'sync.deadLetters': '{count} rejected',
  'sync.lastSync': 'Last sync {time}',
  'sync.neverSynced': 'Never synced',

  'sync.provisioning.title': 'Downloading products and members from HQ…',
  'sync.provisioning.count': '{applied} / {total}',
  'sync.provisioning.starting': 'Connecting to HQ…',
  'sync.provisioning.hint':
    'The till is not available until the download finishes. Keep the device powered and online; an interruption resumes where it stopped.',

  'sync.revokedScreen.title': 'This device was revoked by IT',
  'sync.revokedScreen.body': 'This device can no longer be used for sales.',
  'sync.revokedScreen.pending': '{count} records on this device were not uploaded; they stay on the device.',
  'sync.revokedScreen.callIt': 'Please call IT support. Do not uninstall the app or delete any files.',

  'sync.screen.title': 'Sync with HQ',
  'sync.screen.hq': 'HQ connection',
  'sync.screen.pending': 'Events waiting',
  'sync.screen.lastSync': 'Last sync',
  'sync.screen.deadLetterCount': 'Rejected events',
  'sync.screen.lastError': 'Last error',
  'sync.screen.syncNow': 'Sync now',
  'sync.screen.syncing': 'Syncing…',
  'sync.screen.failed': 'Could not sync: {reason}',
  'sync.screen.deadLetters': 'Events HQ rejected',
  'sync.screen.deadLettersHint': 'These events are not sent again and never deleted. Please call IT support.',
  'sync.screen.noDeadLetters': 'No rejected events.',
  'sync.screen.loading': 'Loading…',
  'sync.screen.live': 'Live updates from HQ',
  'sync.live.up': 'Connected: changes arrive in seconds',
  'sync.live.down': 'Not connected: checking HQ every few seconds',
  'sync.screen.clock': 'Device clock',
  'sync.clock.right': 'In step with HQ',
  'sync.clock.behind': '{minutes} min behind HQ: syncing uses HQ’s time; please call IT to set the clock',
  'sync.clock.ahead': '{minutes} min ahead of HQ: syncing uses HQ’s time; please call IT to set the clock',
  'sync.hq.online': 'Online',
  'sync.hq.offline': 'Offline (selling continues)',
  'sync.hq.revoked': 'Revoked by HQ',
  'sync.hq.not_configured': 'No HQ (device not enrolled)',

  'sync.dl.type': 'Event type',
  'sync.dl.reason': 'Reason',
  'sync.dl.occurredAt': 'Happened',
  'sync.dl.rejectedAt': 'Rejected',
  'sync.dl.reported': 'Reported to HQ',
  'sync.dl.notReported': 'Not reported yet',
};
