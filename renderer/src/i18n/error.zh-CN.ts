import type { ErrorCode } from '../api/contract.js';

/**
 * Texts of the API error codes and the bad-scan reasons, shared by every screen,
 * Simplified Chinese (the reference: keys and {placeholders}).
 */
export const errorZhCN = {
  'error.scan.malformed': '条码有误（{raw}）：{reason}',
  'error.scan.reason.empty': '扫描内容为空',
  'error.scan.reason.bad_length': '位数不对',
  'error.scan.reason.bad_check_digit': '校验位错误，请重新扫描',

  'error.BAD_INPUT': '输入内容无效',
  'error.UNKNOWN_METHOD': '此版本的终端不支持该操作，请联系 IT 支持升级。',
  'error.NOT_FOUND': '未找到',
  'error.INVALID_BARCODE': '条码无效（校验位或长度错误）',
  'error.STORE_UNAVAILABLE': '本地数据无法打开，请联系 IT 支持。',
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
  'error.PAYMENT_OFFLINE': '网络离线，暂不能使用微信/支付宝/云闪付付款码，请改用现金或银行卡。',
  'error.PAYMENT_DECLINED': '支付被拒绝，请换一种付款方式。',
  'error.RETURN_EXCEEDS_SALE': '退货数量超过本机该小票的可退数量。',
  'error.TILL_NOT_OPEN': '收银尚未开班，请先输入备用金开班。',
  'error.CART_EMPTY': '购物车为空。',
  'error.CONTACT_LIMIT': '该客户近期联系次数已达门店免打扰上限，请过几天再联系。',
  'error.REVEAL_LIMIT':
    '查看完整手机号已达上限（每小时20个、每天60个）。请一小时内再试；已满60个的，请在其中第一个查看满24小时后再试。今天看过的号码可再次查看，不计次数。',
  'error.LOOKUP_LIMIT':
    '按手机号查找未找到客户的次数已达上限（每小时30次、每天100次）。请先按会员码或姓名查找；一小时内可再按手机号查找，已满100次的，请在其中第一次满24小时后再试。',
  'error.OPTED_OUT': '该客户已拒绝被联系（或未同意），在其重新同意前不能联系。',
  'error.connection': '暂时连不上终端服务，请稍后重试。',
} as const satisfies Record<string, string>;

/** The keys that are API error codes: every code of the contract, and no code it dropped. */
type CodeKeys = Exclude<keyof typeof errorZhCN, `error.scan.${string}` | 'error.connection'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when a code is added to ERROR_CODES without its text, or a text outlives its code.
export const everyErrorCodeHasText: Same<CodeKeys, `error.${ErrorCode}`> = true;
