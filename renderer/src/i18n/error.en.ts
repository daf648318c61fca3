import type { errorZhCN } from './error.zh-CN.js';

/** Texts of the API error codes and the bad-scan reasons, shared by every screen, English: exactly the keys of the Chinese ones. */
export const errorEn: { readonly [K in keyof typeof errorZhCN]: string } = {
  'error.scan.malformed': 'Bad barcode ({raw}): {reason}',
  'error.scan.reason.empty': 'the scan was empty',
  'error.scan.reason.bad_length': 'wrong number of digits',
  'error.scan.reason.bad_check_digit': 'wrong check digit, please scan again',

  'error.BAD_INPUT': 'The input is not valid',
  'error.UNKNOWN_METHOD': 'This version of the terminal cannot do that. Ask IT to update it.',
  'error.NOT_FOUND': 'Not found',
  'error.INVALID_BARCODE': 'Invalid barcode (check digit or length)',
  'error.STORE_UNAVAILABLE': 'The local data cannot be opened. Please call IT support.',
  'error.CONFLICT': 'The data was just changed by something else. Please try again.',
  'error.INTERNAL': 'Something went wrong in the terminal; it was logged. Try again, and call IT support if it keeps happening.',
  'error.DEVICE_NOT_CONFIGURED': 'This device is not set up yet. Set it up on the Devices screen.',
  'error.DEVICE_UNAVAILABLE': 'The device cannot be reached or is not ready (offline, out of paper or unplugged). Check it and try again.',
  'error.NOT_LOGGED_IN': 'Log in with your staff code and PIN first.',
  'error.SESSION_LOCKED': 'The screen is locked. Enter your PIN to unlock it.',
  'error.WRONG_PIN': 'Wrong staff code or PIN.',
  'error.STAFF_LOCKED': 'Too many wrong PINs: this staff login is locked for a while. Try later or ask the manager.',
  'error.FORBIDDEN': 'Your role may not do this.',
  'error.APPROVAL_REQUIRED': 'This needs a manager’s approval.',
  'error.SKU_INACTIVE': 'This item is discontinued and cannot be sold.',
  'error.COUPON_EXPIRED': 'The coupon has expired.',
  'error.COUPON_USED': 'The coupon has already been used.',
  'error.COUPON_NOT_APPLICABLE': 'The coupon cannot be used on this order (threshold not met, does not stack, or another member’s).',
  'error.POINTS_INSUFFICIENT': 'Not enough points, or more than can be redeemed on this order.',
  'error.TENDER_SHORT': 'Something is still due.',
  'error.PAYMENT_OFFLINE': 'Offline: WeChat Pay / Alipay / UnionPay codes cannot be taken now. Use cash or card.',
  'error.PAYMENT_DECLINED': 'The payment was declined. Try another way to pay.',
  'error.RETURN_EXCEEDS_SALE': 'That is more than is left to return on this receipt.',
  'error.TILL_NOT_OPEN': 'The till is not open. Open it with the float first.',
  'error.CART_EMPTY': 'The cart is empty.',
  'error.CONTACT_LIMIT': 'This customer was contacted as often as the store’s do-not-disturb rule allows lately. Try again in a few days.',
  'error.REVEAL_LIMIT':
    'You have seen as many full phone numbers as allowed (20 an hour, 60 a day). Try again within the hour, or, past 60, 24 hours after the first of them. A number you saw today shows again without counting.',
  'error.LOOKUP_LIMIT':
    'Too many searches by a mobile number that found nobody (30 an hour, 100 a day). Search by member code or name for now; searching by number works again within the hour, or, past 100, a day after the first of them.',
  'error.OPTED_OUT': 'This customer opted out of being contacted (or never agreed): no contact until they opt in again.',
  'error.connection': 'The terminal service cannot be reached right now. Try again in a moment.',
};
