import type { Dictionary } from './zh-CN.js';

export const en: Dictionary = {
  'app.title': 'Finance · open items',
  'app.signedInAs': 'Signed in as {name}',
  'app.signOut': 'Sign out',
  'app.language': '中文',

  'signIn.title': 'Shopfloor HQ finance',
  'signIn.hint': 'Sign in with your HQ admin account.',
  'signIn.name': 'Account',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.busy': 'Signing in…',
  'signIn.expired': 'Your session has ended. Please sign in again.',
  'signIn.signedOutLocally':
    'Signed out on this computer, but HQ could not be reached: the session stays valid at HQ until {expiresAt}. Sign in and out again when HQ is back.',

  'access.notFinance':
    'The account {name} has the role “{role}”: these lists are for finance. Sign out and sign in with a finance account, or ask an HQ owner to give you one.',

  'lists.conflicts': 'Settlement conflicts',
  'lists.refunds': 'Refund exceptions',
  'lists.conflictsHint': 'A coupon or points spent twice. The sale stands; the amount at risk is listed.',
  'lists.refundsHint': 'A refund that did not go back the way the money came, or more than came that way.',
  'lists.store': 'Store',
  'lists.allStores': 'All stores',
  'lists.openOnly': 'Open only',
  'lists.refresh': 'Refresh',
  'lists.loading': 'Loading…',
  'lists.empty': 'Nothing open.',
  'lists.emptyAll': 'No records.',
  'lists.count': '{count} rows',
  'lists.storeOption': '{name} ({code})',
  'lists.resolvedElsewhere': '{receiptNo} was resolved by someone else first; the list has been reloaded.',
  'lists.truncated': 'Showing the first {count}: filter by store to see the rest.',

  'col.when': 'When',
  'col.store': 'Store',
  'col.receiptNo': 'Receipt no.',
  'col.detail': 'Detail',
  'col.atRisk': 'At risk',
  'col.amount': 'Refunded',
  'col.unfunded': 'Unfunded',
  'col.status': 'Resolution',

  'row.coupons': 'Coupons {coupons}',
  'row.points': '{points} points',
  'row.offline': 'redeemed offline',
  'row.original': 'original receipt {receiptNo}',
  'row.method': 'refunded by {method}',
  'row.insteadOf': 'refunded by {method} instead of {insteadOf}',
  'row.storeTime': 'store time, {offset}',
  'row.resolve': 'Resolve',
  'row.resolvedBy': 'by {who} at {when}',

  'resolve.label': 'Resolution',
  'resolve.placeholder': 'e.g. coupon honoured; cost booked to the store',
  'resolve.save': 'Resolve',
  'resolve.cancel': 'Cancel',
  'resolve.busy': 'Saving…',

  'error.network': 'HQ cannot be reached. Check the network and try again.',
  'error.wrongLogin': 'Wrong account or password.',
  'error.tooMany': 'Too many failed sign-ins: wait a minute and try again.',
  'error.hq': 'HQ refused: {message}',
};
