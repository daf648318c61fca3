/**
 * Texts of the HQ sync parts (pill, provisioning, revoked notice, sync screen),
 * Simplified Chinese (the reference: keys and {placeholders}).
 */
export const syncZhCN = {
  'sync.notConfigured': '未连接总部 · {count} 条待同步',
  'sync.offline': '总部离线 · {count} 条待同步',
  'sync.syncing': '正在同步 · {count} 条待同步',
  'sync.synced': '已与总部同步',

  'sync.revoked': '设备已停用',
  'sync.deadLetters': '{count} 条被拒收',
  'sync.lastSync': '上次同步 {time}',
  'sync.neverSynced': '尚未同步',

  'sync.provisioning.title': '正在从总部下载商品与会员…',
  'sync.provisioning.count': '{applied} / {total}',
  'sync.provisioning.starting': '正在连接总部…',
  'sync.provisioning.hint': '下载完成前收银暂不可用。请保持设备通电和联网；中断后会从中断处继续。',

  'sync.revokedScreen.title': '此设备已被总部停用',
  'sync.revokedScreen.body': '这台设备已不能用于销售。',
  'sync.revokedScreen.pending': '设备上仍有 {count} 条记录未上传，它们会一直保存在设备上。',
  'sync.revokedScreen.callIt': '请联系 IT 支持。请不要卸载本应用或删除任何文件。',

  'sync.screen.title': '与总部同步',
  'sync.screen.hq': '总部连接',
  'sync.screen.pending': '待上传事件',
  'sync.screen.lastSync': '上次同步',
  'sync.screen.deadLetterCount': '被拒收事件',
  'sync.screen.lastError': '最近一次错误',
  'sync.screen.syncNow': '立即同步',
  'sync.screen.syncing': '正在同步…',
  'sync.screen.failed': '无法同步：{reason}',
  'sync.screen.deadLetters': '被总部拒收的事件',
  'sync.screen.deadLettersHint': '这些事件不会自动重发，也不会被删除。请联系 IT 支持处理。',
  'sync.screen.noDeadLetters': '没有被拒收的事件。',
  'sync.screen.loading': '正在读取…',
  'sync.hq.online': '在线',
  'sync.hq.offline': '离线（继续离线销售）',
  'sync.hq.revoked': '已被总部停用',
  'sync.hq.not_configured': '未连接总部（本机未登记）',

  'sync.dl.type': '事件类型',
  'sync.dl.reason': '原因',
  'sync.dl.occurredAt': '发生时间',
  'sync.dl.rejectedAt': '拒收时间',
  'sync.dl.reported': '已报告总部',
  'sync.dl.notReported': '尚未报告总部',
} as const satisfies Record<string, string>;
