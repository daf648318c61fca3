/**
 * Mobile payment: a customer's WeChat Pay / Alipay / UnionPay QR payment code (the barcode in their app),
 * classified where every scan is read (native/scanner/payment-code.ts), and charged through a
 * provider. The provider is the gateway's interface; the sandbox ships for demos and tests.
 */
export { classifyPaymentCode } from '../../native/scanner/payment-code.js';
export type { PaymentCodeMethod } from '../../native/scanner/payment-code.js';

/** What the gateway charges and a tender records: WeChat Pay, Alipay, UnionPay QR (云闪付 and the banks' apps). */
export type MobileMethod = 'wechat' | 'alipay' | 'unionpay';

export const MOBILE_METHODS: readonly MobileMethod[] = ['wechat', 'alipay', 'unionpay'];

/** Whether a tender's money moves through the gateway (refunds and voids go back through it). */
export function isMobile(method: string): method is MobileMethod {
  return (MOBILE_METHODS as readonly string[]).includes(method);
}

/** The wallet's name as a cashier says it. */
export const MOBILE_NAMES: Readonly<Record<MobileMethod, string>> = { wechat: 'WeChat Pay', alipay: 'Alipay', unionpay: 'UnionPay QR' };

export type ChargeRequest = {
  method: MobileMethod;
  code: string;
  amountFen: number;
  /** Idempotency key: the same id never charges twice. */ requestId: string;
};
export type ChargeResult = { ok: true; providerRef: string } | { ok: false; reason: string };

/** A payment gateway (WeChat Pay, Alipay and UnionPay QR through the chain's acquirer). */
export type PaymentProvider = {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { method: MobileMethod; providerRef: string; amountFen: number; requestId: string }): Promise<ChargeResult>;
  /**
   * Cancels the charge made under `requestId`, whatever came of it (WeChat Pay's micropay reverse,
   * Alipay's trade cancel): a charge that went through is paid back, one that did not can no
   * longer go through. For a charge whose answer never came, or whose cart is gone.
   */
  reverse(request: { method: MobileMethod; requestId: string }): Promise<{ ok: true } | { ok: false; reason: string }>;
};

/** One call the sandbox answered, with what it answered: what a test reads back to check the money moved as it should. */
export type SandboxCall =
  | { op: 'charge'; method: MobileMethod; requestId: string; amountFen: number; code: string; result: ChargeResult }
  | { op: 'refund'; method: MobileMethod; requestId: string; amountFen: number; providerRef: string; result: ChargeResult }
  | { op: 'reverse'; method: MobileMethod; requestId: string };

/**
 * Sandbox gateway: approves every code except those ending in `0000` (declined: "insufficient
 * balance"), answers a repeated requestId with the first answer, as real gateways do, and
 * declines a charge under a requestId that was reversed. `record` gets every call with its
 * answer, repeats included (the browser host writes them beside the store for the e2e tests).
 */
export function sandboxPaymentProvider(options: { record?: (call: SandboxCall) => void } = {}): PaymentProvider {
  const seen = new Map<string, ChargeResult>();
  const record = options.record ?? (() => undefined);
  let n = 0;
  const once = (requestId: string, make: () => ChargeResult): ChargeResult => {
    const prior = seen.get(requestId);
    if (prior) return prior;
    const result = make();
    seen.set(requestId, result);
    return result;
  };
  return {
    name: 'sandbox',
    charge: (r) => {
      const result = once(r.requestId, () =>
        r.code.endsWith('0000')
          ? { ok: false, reason: 'insufficient balance (sandbox)' }
          : { ok: true, providerRef: `SBX-${r.method.toUpperCase()}-${++n}` },
      );
      record({ op: 'charge', method: r.method, requestId: r.requestId, amountFen: r.amountFen, code: r.code, result });
      return Promise.resolve(result);
    },
    refund: (r) => {
      const result = once(r.requestId, () => ({ ok: true, providerRef: `SBX-RF-${++n}` }));
      record({ op: 'refund', method: r.method, requestId: r.requestId, amountFen: r.amountFen, providerRef: r.providerRef, result });
      return Promise.resolve(result);
    },
    // A reversed request id is answered "reversed" from then on, so a late charge under it fails.
    reverse: (r) => {
      seen.set(r.requestId, { ok: false, reason: 'reversed (sandbox)' });
      record({ op: 'reverse', method: r.method, requestId: r.requestId });
      return Promise.resolve({ ok: true });
    },
  };
}
