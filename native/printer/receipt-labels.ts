import type { ReceiptDocument, ReceiptKind } from './receipt-document.js';

/** The template's fixed labels, in both receipt languages. */
const LABELS = {
  'zh-CN': {
    title: {
      sale: '销售小票',
      return: '退货单',
      exchange: '换货单',
      x_report: 'X 报表',
      z_report: 'Z 报表（日结）',
      no_sale: '开钱箱（无销售）',
      test: '打印测试页',
    },
    receiptNo: '单号',
    time: '时间',
    staff: '收银员',
    device: '终端',
    item: '商品',
    qty: '数量',
    amount: '金额',
    discount: '优惠',
    subtotal: '小计',
    total: '合计',
    points: '积分抵扣',
    tendered: '实收',
    change: '找零',
    member: '会员',
    pointsEarned: '本次积分',
    pointsBalance: '积分余额',
    copy: '重印 COPY',
    tenders: { cash: '现金', card: '银行卡', wechat: '微信支付', alipay: '支付宝', unionpay: '云闪付', external: '其他' } as Record<
      string,
      string
    >,
    testBody: ['中文：你好，世界 ￥123.45', 'English: The quick brown fox', '生僻字：𠮷 䶮'],
  },
  en: {
    title: {
      sale: 'Sales receipt',
      return: 'Return',
      exchange: 'Exchange',
      x_report: 'X report',
      z_report: 'Z report (day end)',
      no_sale: 'No sale (drawer)',
      test: 'Test page',
    },
    receiptNo: 'No.',
    time: 'Time',
    staff: 'Cashier',
    device: 'Till',
    item: 'Item',
    qty: 'Qty',
    amount: 'Amount',
    discount: 'Discount',
    subtotal: 'Subtotal',
    total: 'TOTAL',
    points: 'Points',
    tendered: 'Tendered',
    change: 'Change',
    member: 'Member',
    pointsEarned: 'Points earned',
    pointsBalance: 'Points balance',
    copy: 'COPY 重印',
    tenders: { cash: 'Cash', card: 'Card', wechat: 'WeChat Pay', alipay: 'Alipay', unionpay: 'UnionPay QR', external: 'Other' } as Record<
      string,
      string
    >,
    testBody: ['中文：你好，世界 ￥123.45', 'English: The quick brown fox', 'Rare: 𠮷 䶮'],
  },
} as const;

export type ReceiptLabels = (typeof LABELS)['zh-CN' | 'en'];

export function labelsFor(language: ReceiptDocument['language']): ReceiptLabels {
  return LABELS[language] ?? LABELS['zh-CN'];
}

export function titleOf(kind: ReceiptKind, labels: ReceiptLabels): string {
  return labels.title[kind];
}
