/**
 * Simplified Chinese, the default language and the reference dictionary: its keys (and the
 * `{placeholders}` in its texts) define what every other language must provide.
 */
import { checkoutZhCN } from '../features/checkout/checkout.zh-CN.js';
import { devicesZhCN } from '../features/devices/devices.zh-CN.js';
import { syncZhCN } from '../features/sync/sync.zh-CN.js';

export const zhCN = {
  'nav.lookup': '商品查询',
  'nav.label': '功能',
  'app.connecting': '正在连接终端服务…',
  'app.disconnected': '与终端服务的连接已断开，正在重新连接…',
  'app.device': '设备 {id}',
  'app.version': '版本 {version}',
  'app.statusFailed': '无法读取终端状态：{reason}',
  'app.stillWaiting': '仍在等待终端服务。如果是在浏览器中打开，请使用终端启动时显示的完整链接（含 #token=…）。',

  'sync.notConfigured': '未连接总部 · {count} 条待同步',
  'sync.offline': '总部离线 · {count} 条待同步',
  'sync.syncing': '正在同步 · {count} 条待同步',
  'sync.synced': '已与总部同步',

  'lang.switchTo': 'English',
  'lang.switchLabel': '切换语言 / Switch language',
  'lang.saveFailed': '语言已切换，但设置未能保存：{reason}',

  'search.label': '商品查询',
  'search.placeholder': '扫描条码，或输入 EAN、SKU、款号、品名',
  'search.submit': '查询',
  'search.clear': '清除',
  'search.busy': '正在查询…',
  'search.hint': '扫描商品条码，或输入条码、SKU、款号或品名后按回车。',

  'lookup.notFoundBarcode': '条码 {code} 不在商品目录中',
  'lookup.notFoundQuery': '没有找到与“{query}”匹配的商品',
  'lookup.invalidBarcode': '条码校验位错误或长度不对：{code}。请重新扫描，或核对号码后再输入。',

  'results.count': '找到 {count} 个款式',
  'results.truncated': '结果较多，只显示前 {count} 个。请输入更完整的品名或款号。',
  'results.back': '返回结果列表',
  'results.stock': '本店 {count} 件',

  'card.styleCode': '款号',
  'card.category': '品类',
  'card.colour': '颜色',
  'card.size': '尺码',
  'card.ean': 'EAN',
  'card.sku': 'SKU',
  'card.stockHere': '本店库存',
  'card.pieces': '{count} 件',
  'card.inactive': '已停售',
  'card.pickSize': '请在下方表格中选择颜色和尺码',
  'card.styleStock': '本款本店共 {count} 件',

  'matrix.title': '颜色 / 尺码 · 本店库存',
  'matrix.colour': '颜色',
  'matrix.noSku': '无此规格',
  'matrix.inactive': '停售',
  'matrix.cellLabel': '{colour} {size}：库存 {stock}',

  'scan.ok': '扫描 ✓ {code}',
  'scan.malformed': '条码有误（{raw}）：{reason}',
  'scan.reason.empty': '扫描内容为空',
  'scan.reason.bad_length': '位数不对',
  'scan.reason.bad_check_digit': '校验位错误，请重新扫描',
  'scan.unknown': '无法识别的条码 {raw}',
  'scan.submitFailed': '扫描未能送达终端：{reason}',

  'message.dismiss': '关闭',

  'error.BAD_INPUT': '输入内容无效',
  'error.UNKNOWN_METHOD': '此版本的终端不支持该操作，请联系 IT 支持升级。',
  'error.NOT_FOUND': '未找到',
  'error.INVALID_BARCODE': '条码无效（校验位或长度错误）',
  'error.STORE_UNAVAILABLE': '本地数据无法打开，请联系 IT 支持。',
  'error.UNAUTHORIZED': '无权操作此终端。',
  'error.CONFLICT': '数据刚被其他操作更改，请重试。',
  'error.INTERNAL': '终端内部出错，已记录日志。请重试；如果反复出现，请联系 IT 支持。',
  'error.DEVICE_NOT_CONFIGURED': '该设备尚未设置，请在“设备”页面中设置。',
  'error.DEVICE_UNAVAILABLE': '设备无法连接或未就绪（离线、缺纸或未连接），请检查后重试。',
  'error.NOT_LOGGED_IN': '请先用员工工号和 PIN 登录。',
  'error.SESSION_LOCKED': '屏幕已锁定，请输入 PIN 解锁。',
  'error.WRONG_PIN': '工号或 PIN 不正确。',
  'error.STAFF_LOCKED': 'PIN 错误次数过多，账号已暂时锁定，请稍后再试或联系店长。',
  'error.FORBIDDEN': '您的岗位无权进行此操作。',
  'error.APPROVAL_REQUIRED': '此操作需要店长授权。',
  'error.SKU_INACTIVE': '该商品已停售，不能销售。',
  'error.COUPON_EXPIRED': '优惠券已过期。',
  'error.COUPON_USED': '优惠券已被使用。',
  'error.COUPON_NOT_APPLICABLE': '此订单不能使用该优惠券（未达门槛、不可叠加或不属于该会员）。',
  'error.POINTS_INSUFFICIENT': '积分不足或超过可抵扣金额。',
  'error.TENDER_SHORT': '尚有未付金额。',
  'error.PAYMENT_OFFLINE': '网络离线，暂不能使用微信/支付宝付款码，请改用现金或银行卡。',
  'error.PAYMENT_DECLINED': '支付被拒绝，请换一种付款方式。',
  'error.RETURN_EXCEEDS_SALE': '退货数量超过本机该小票的可退数量。',
  'error.TILL_NOT_OPEN': '收银尚未开班，请先输入备用金开班。',
  'error.CART_EMPTY': '购物车为空。',
  'error.connection': '暂时连不上终端服务，请稍后重试。',

  'storeError.title': '终端数据无法打开',
  'storeError.reason.corrupt': '数据文件已损坏，终端无法读取其中的内容。',
  'storeError.reason.unreadable': '终端无法打开数据文件（密钥不匹配或没有读取权限）。',
  'storeError.reason.too_new': '数据文件来自更新版本的 Shopfloor，当前版本无法打开。',
  'storeError.reason.io': '读写数据文件时发生磁盘错误。',
  'storeError.file': '数据文件',
  'storeError.callIt': '请联系 IT 支持，并告诉他们上面的文件路径和下方的技术信息。',
  'storeError.dontReinstall': '请不要重新安装或卸载本应用，也不要删除任何文件：尚未同步到总部的销售和顾客记录都在这个文件里。',
  'storeError.untouched': '终端没有改动这个文件，数据保持原样。',
  'storeError.details': '技术信息',
  // Each area keeps its texts in its own file (i18n/<area>.zh-CN.ts), so screens grow independently.
  ...checkoutZhCN,
  ...devicesZhCN,
  ...syncZhCN,
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;

/** Another language: exactly the same keys, no more, no fewer. */
export type Dictionary = { readonly [K in MessageKey]: string };
