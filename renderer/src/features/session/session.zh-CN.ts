/**
 * Texts of the till's staff session (login, lock screen, manager approval),
 * Simplified Chinese (the reference: keys and {placeholders}).
 */
export const sessionZhCN = {
  'session.notAllowed': '您的岗位不能使用此功能，请让有权限的同事登录。',

  'session.role.cashier': '收银员',
  'session.role.guide': '导购',
  'session.role.manager': '店长',

  'session.login.title': '员工登录',
  'session.login.intro': '输入您的员工工号和 PIN 开始收银。离开收银台时请锁屏，购物车会保留。',
  'session.login.code': '员工工号',
  'session.login.codePlaceholder': '例如 S001-02',
  'session.login.pin': 'PIN',
  'session.login.pinHint': '用下方键盘输入',
  'session.login.pinEntered': '已输入 {count} 位',
  'session.login.submit': '登录',
  'session.login.wrongPinLeft': '工号或 PIN 不正确，还可尝试 {count} 次。',
  'session.login.lockedFor': 'PIN 错误次数过多，账号已锁定，请 {minutes} 分钟后再试或联系店长。',

  'session.lock.badge': '已锁屏',
  'session.lock.title': '收银台已锁定',
  'session.lock.intro': '{name} 的购物车已保留。输入 PIN 继续；换人收银请先退出登录。',
  'session.lock.submit': '解锁',
  'session.lock.switchUser': '换人登录',
  'session.bar.lock': '锁屏',
  'session.bar.logout': '退出登录',

  'session.approval.title': '店长授权',
  'session.approval.submit': '授权',
  'session.approval.notManager': '此工号不是店长，不能授权。',
  'session.approval.cancelled': '未获授权，操作已取消。',
  'session.approval.action.discount': '折扣超过收银员权限，需要店长授权。',
  'session.approval.action.price_override': '改价需要店长授权。',
  'session.approval.action.no_receipt_return': '无小票退货需要店长授权。',
  'session.approval.action.paid_out': '从钱箱取出现金需要店长授权。',
  'session.approval.action.no_sale': '无交易开钱箱需要店长授权。',
  'session.approval.action.x_report': '在清点前查看应有金额需要店长授权。',
  'session.approval.action.cash_refund': '将刷卡或移动支付的款项改为现金退款需要店长授权。',
  'session.approval.action.void_tender': '撤销已完成的移动支付需要店长授权。',
} as const satisfies Record<string, string>;
