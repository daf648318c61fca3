/**
 * The finance console's texts in Simplified Chinese: the reference dictionary, as in the terminal
 * (renderer/src/i18n): its keys and `{placeholders}` define what every other language provides.
 */
export const zhCN = {
  'app.title': '财务 · 待处理事项',
  'app.signedInAs': '已登录：{name}',
  'app.signOut': '退出',
  'app.language': 'English',

  'signIn.title': 'Shopfloor 总部财务',
  'signIn.hint': '使用总部管理员账号登录。',
  'signIn.name': '账号',
  'signIn.password': '密码',
  'signIn.submit': '登录',
  'signIn.busy': '正在登录…',
  'signIn.expired': '登录已过期，请重新登录。',
  'signIn.signedOutLocally': '已在本机退出，但无法连接总部：该会话在总部仍有效，直至 {expiresAt}。总部恢复后请重新登录再退出。',

  'access.notFinance': '账号 {name} 的角色是“{role}”：这些列表仅供财务使用。请退出并用财务账号登录，或请总部所有者为您开通。',

  'lists.conflicts': '结算冲突',
  'lists.refunds': '退款异常',
  'lists.conflictsHint': '优惠券或积分被重复使用。销售有效，列出的是涉及金额。',
  'lists.refundsHint': '退款未按原支付方式退回，或超出该方式所收金额。',
  'lists.store': '门店',
  'lists.allStores': '全部门店',
  'lists.openOnly': '只看未处理',
  'lists.refresh': '刷新',
  'lists.loading': '正在加载…',
  'lists.empty': '没有待处理的事项。',
  'lists.emptyAll': '没有记录。',
  'lists.count': '共 {count} 条',
  'lists.storeOption': '{name}（{code}）',
  'lists.resolvedElsewhere': '{receiptNo} 已由他人先行处理，列表已重新加载。',
  'lists.truncated': '只显示前 {count} 条：请按门店筛选。',

  'col.when': '时间',
  'col.store': '门店',
  'col.receiptNo': '小票号',
  'col.detail': '说明',
  'col.atRisk': '涉及金额',
  'col.amount': '退款金额',
  'col.unfunded': '无来源金额',
  'col.status': '处理',

  'row.coupons': '优惠券 {coupons}',
  'row.points': '积分 {points}',
  'row.offline': '离线核销',
  'row.original': '原小票 {receiptNo}',
  'row.method': '以 {method} 退款',
  'row.insteadOf': '以 {method} 退款（原为 {insteadOf}）',
  'row.storeTime': '门店时间 {offset}',
  'row.resolve': '处理',
  'row.resolvedBy': '{who} 于 {when} 处理',

  'resolve.label': '处理说明',
  'resolve.placeholder': '例如：优惠券成本由门店承担',
  'resolve.save': '确认处理',
  'resolve.cancel': '取消',
  'resolve.busy': '正在保存…',

  'error.network': '无法连接总部，请检查网络后重试。',
  'error.wrongLogin': '账号或密码错误。',
  'error.tooMany': '失败次数过多，请一分钟后再试。',
  'error.hq': '总部拒绝了请求：{message}',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;

/** Another language: exactly the same keys, no more, no fewer. */
export type Dictionary = { readonly [K in MessageKey]: string };
