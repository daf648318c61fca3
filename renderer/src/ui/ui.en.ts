import type { uiZhCN } from './ui.zh-CN.js';

/** Texts of the shared UI kit (modal, keypad, stepper, message banner, form fields), English: exactly the keys of the Chinese ones. */
export const uiEn: { readonly [K in keyof typeof uiZhCN]: string } = {
  'ui.message.dismiss': 'Dismiss',
  'ui.cancel': 'Cancel',
  'ui.modal.close': 'Close',
  'ui.keypad.clear': 'Clear',
  'ui.keypad.back': 'Delete',
  'ui.stepper.less': 'One less',
  'ui.stepper.more': 'One more',

  'ui.field.notANumber': 'Enter a whole number',
  'ui.field.invalid': 'This value is not valid',
  'ui.field.invalidHint': 'Not valid. Expected: {hint}',
};
