import type { PrinterProfile } from '../api/contract.js';
import type { StoreInfo } from '../core/store-info.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';

/** The printer's test page: which link, mode and paper the terminal prints with. */
export function testPage(store: StoreInfo, printer: PrinterProfile | null, connection: string, now: Date): ReceiptDocument {
  return {
    kind: 'test',
    language: 'zh-CN',
    store: { name: store.assigned ? store.name.zh : 'Shopfloor', code: store.code },
    issuedAt: now.toISOString(),
    timezone: store.timezone,
    lines: [],
    report: {
      title: 'Printer',
      rows: [
        { label: 'connection', value: connection },
        { label: 'mode', value: printer?.mode ?? 'text-gb18030' },
        { label: 'paper', value: `${printer?.paperMm ?? 80} mm` },
      ],
    },
    qr: { url: 'https://shopfloor.example/test', caption: 'QR' },
    receiptNo: 'TEST-0000',
  };
}

/** Digits, Latin, money and the template's own labels: what every receipt prints. */
export function sampleForWarmUp(): ReceiptDocument {
  return {
    kind: 'sale',
    language: 'zh-CN',
    receiptNo: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789',
    store: { name: 'abcdefghijklmnopqrstuvwxyz ()[]:;,.+-×*/#%&@', code: '' },
    issuedAt: new Date(0).toISOString(),
    timezone: 'Asia/Shanghai',
    lines: [
      {
        name: '销售小票退货单换货报表日结开钱箱无打印测试页',
        detail: '黑白红蓝灰色',
        qty: 1,
        unitFen: 123456789,
        discountFen: 1,
        totalFen: 123456789,
      },
    ],
    totals: { subtotalFen: 1, discountFen: 1, totalFen: 1, pointsRedeemedFen: 1, tenderedFen: 1, changeFen: 1 },
    tenders: ['cash', 'card', 'wechat', 'alipay', 'external'].map((method) => ({ method, amountFen: 1 })),
    member: { name: '会员', code: 'M', tier: 'gold', pointsEarned: 1, pointsBalance: 1 },
  };
}
