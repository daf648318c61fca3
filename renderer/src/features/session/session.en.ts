import type { sessionZhCN } from './session.zh-CN.js';

/** Texts of the till's staff session (login, lock screen, manager approval), English: exactly the keys of the Chinese ones. */
export const sessionEn: { readonly [K in keyof typeof sessionZhCN]: string } = {
  'session.notAllowed': 'Your role cannot use this screen. Ask a colleague who may to log in.',

  'session.role.cashier': 'Cashier',
  'session.role.guide': 'Guide',
  'session.role.manager': 'Manager',

  'session.login.title': 'Staff login',
  'session.login.intro': 'Enter your staff code and PIN to start. Lock the till when you step away: the cart stays.',
  'session.login.code': 'Staff code',
  'session.login.codePlaceholder': 'e.g. S001-02',
  'session.login.pin': 'PIN',
  'session.login.pinHint': 'Use the keypad',
  'session.login.pinEntered': '{count} digits entered',
  'session.login.submit': 'Log in',
  'session.login.wrongPinLeft': 'Wrong staff code or PIN. {count} attempts left.',
  'session.login.lockedFor': 'Too many wrong PINs: this staff code is locked. Try again in {minutes} minutes or ask the manager.',

  'session.lock.badge': 'Locked',
  'session.lock.title': 'The till is locked',
  'session.lock.intro': '{name}’s cart is kept. Enter the PIN to carry on; someone else logs out first.',
  'session.lock.submit': 'Unlock',
  'session.lock.switchUser': 'Switch user',
  'session.bar.lock': 'Lock',
  'session.bar.logout': 'Log out',

  'session.approval.title': 'Manager approval',
  'session.approval.submit': 'Approve',
  'session.approval.notManager': 'This staff code is not a manager’s; it cannot approve.',
  'session.approval.cancelled': 'Not approved: nothing was changed.',
  'session.approval.action.discount': 'This discount is above the cashier’s limit and needs a manager.',
  'session.approval.action.price_override': 'A price change needs a manager.',
  'session.approval.action.no_receipt_return': 'A return without a receipt needs a manager.',
  'session.approval.action.paid_out': 'Taking cash out of the drawer needs a manager.',
  'session.approval.action.no_sale': 'Opening the drawer without a sale needs a manager.',
  'session.approval.action.x_report': 'Showing what the drawer should hold before the count needs a manager.',
  'session.approval.action.cash_refund': 'Refunding in cash what was paid by card or mobile payment needs a manager.',
  'session.approval.action.void_tender': 'Voiding a mobile payment already taken needs a manager.',
};
