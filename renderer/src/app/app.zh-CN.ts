/**
 * Texts of the app shell (screen tabs, top bar, language switch, splash, store error),
 * Simplified Chinese (the reference: keys and {placeholders}).
 */
export const appZhCN = {
  'app.nav.lookup': '商品查询',
  'app.nav.label': '功能',
  'app.connecting': '正在连接终端服务…',
  'app.disconnected': '与终端服务的连接已断开，正在重新连接…',
  'app.device': '设备 {id}',
  'app.version': '版本 {version}',
  'app.statusFailed': '无法读取终端状态：{reason}',
  'app.stillWaiting': '仍在等待终端服务。如果是在浏览器中打开，请使用终端启动时显示的完整链接（含 #token=…）。',

  'app.lang.switchTo': 'English',
  'app.lang.switchLabel': '切换语言 / Switch language',
  'app.lang.saveFailed': '语言已切换，但设置未能保存：{reason}',

  'app.storeError.title': '终端数据无法打开',
  'app.storeError.reason.corrupt': '数据文件已损坏，终端无法读取其中的内容。',
  'app.storeError.reason.unreadable': '终端无法打开数据文件（密钥不匹配或没有读取权限）。',
  'app.storeError.reason.too_new': '数据文件来自更新版本的 Shopfloor，当前版本无法打开。',
  'app.storeError.reason.io': '读写数据文件时发生磁盘错误。',
  'app.storeError.file': '数据文件',
  'app.storeError.callIt': '请联系 IT 支持，并告诉他们上面的文件路径和下方的技术信息。',
  'app.storeError.dontReinstall': '请不要重新安装或卸载本应用，也不要删除任何文件：尚未同步到总部的销售和顾客记录都在这个文件里。',
  'app.storeError.untouched': '终端没有改动这个文件，数据保持原样。',
  'app.storeError.details': '技术信息',
  'app.nav.sell': '收银',
  'app.nav.returns': '退换货',
  'app.nav.history': '销售记录',
  'app.nav.cashup': '交班结算',
  'app.nav.devices': '设备',
  'app.nav.sync': '同步',
} as const satisfies Record<string, string>;
