import { readScanText } from './scan-text.js';

/** The network a customer's payment code (the barcode or QR in their wallet app) belongs to. */
export type PaymentCodeMethod = 'wechat' | 'alipay' | 'unionpay';

/**
 * Classifies a payment code by the networks' published formats: WeChat Pay 18 digits starting
 * 10–15; Alipay 16–24 digits starting 25–30; UnionPay QR (云闪付 and the banks' apps) 19 digits
 * starting 62. The prefixes do not overlap, so the order does not matter. The scan is read like any
 * other (AIM identifier, framing, full-width digits); a GS1 element string is never a payment code.
 */
export function classifyPaymentCode(raw: string): PaymentCodeMethod | null {
  const scan = readScanText(raw);
  const code = scan.text;
  if (scan.gs1 || !/^\d+$/.test(code)) return null;
  const prefix = Number(code.slice(0, 2));
  if (code.length === 18 && prefix >= 10 && prefix <= 15) return 'wechat';
  if (code.length >= 16 && code.length <= 24 && prefix >= 25 && prefix <= 30) return 'alipay';
  if (code.length === 19 && prefix === 62) return 'unionpay';
  return null;
}
