import type { appZhCN } from './app.zh-CN.js';

/** Texts of the app shell (screen tabs, top bar, language switch, splash, store error), English: exactly the keys of the Chinese ones. */
export const appEn: { readonly [K in keyof typeof appZhCN]: string } = {
  'app.nav.lookup': 'Product lookup',
  'app.nav.label': 'Screens',
  'app.connecting': 'Connecting to the terminal service…',
  'app.disconnected': 'Lost the connection to the terminal service. Reconnecting…',
  'app.device': 'Device {id}',
  'app.version': 'Version {version}',
  'app.statusFailed': 'Could not read the terminal status: {reason}',
  'app.stillWaiting':
    'Still waiting for the terminal service. In a browser, open the full link the terminal printed at start-up (with #token=…).',

  'app.lang.switchTo': '中文',
  'app.lang.switchLabel': 'Switch language / 切换语言',
  'app.lang.saveFailed': 'Language switched, but the setting could not be saved: {reason}',

  'app.storeError.title': 'The terminal cannot open its data',
  'app.storeError.reason.corrupt': 'The data file is damaged; the terminal cannot read it.',
  'app.storeError.reason.unreadable': 'The terminal cannot open the data file (wrong key or no permission to read it).',
  'app.storeError.reason.too_new': 'The data file was written by a newer version of Shopfloor; this version cannot open it.',
  'app.storeError.reason.io': 'A disk error happened while reading or writing the data file.',
  'app.storeError.file': 'Data file',
  'app.storeError.callIt': 'Please call IT support and give them the file path above and the technical details below.',
  'app.storeError.dontReinstall':
    'Do not reinstall or uninstall the app, and do not delete any files: sales and customer records not yet synced to HQ are in this file.',
  'app.storeError.untouched': 'The terminal has not changed this file; the data is as it was.',
  'app.storeError.details': 'Technical details',
  'app.nav.sell': 'Sell',
  'app.nav.returns': 'Returns',
  'app.nav.history': 'Sales history',
  'app.nav.cashup': 'Cash-up',
  'app.nav.devices': 'Devices',
  'app.nav.sync': 'Sync',
};
