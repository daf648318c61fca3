/**
 * Texts of the shared UI kit (modal, keypad, stepper, message banner, form fields),
 * Simplified Chinese (the reference: keys and {placeholders}).
 */
export const uiZhCN = {
  'ui.message.dismiss': '关闭',
  'ui.cancel': '取消',
  'ui.modal.close': '关闭',
  'ui.keypad.clear': '清空',
  'ui.keypad.back': '删除',
  'ui.stepper.less': '减少数量',
  'ui.stepper.more': '增加数量',

  'ui.field.notANumber': '请输入整数',
  'ui.field.invalid': '此项无效，请检查',
  'ui.field.invalidHint': '此项无效，应为：{hint}',
} as const satisfies Record<string, string>;
