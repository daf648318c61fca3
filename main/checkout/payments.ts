/**
 * Mobile payment: a customer's WeChat Pay / Alipay payment code (the barcode in their app),
 * classified by prefix and length, and charged through a provider. The provider is the gateway's
 * interface; the sandbox ships for demos and tests.
 */

export type MobileMethod = 'wechat' | 'alipay';

/** WeChat Pay: 18 digits starting 10–15. Alipay: 16–24 digits starting 25–30. Anything else is not a payment code. */
export function classifyPaymentCode(raw: string): MobileMethod | null {
  const code = raw.trim();
  if (!/^\d+$/.test(code)) return null;
  const prefix = Number(code.slice(0, 2));
  if (code.length === 18 && prefix >= 10 && prefix <= 15) return 'wechat';
  if (code.length >= 16 && code.length <= 24 && prefix >= 25 && prefix <= 30) return 'alipay';
  return null;
}

export type ChargeRequest = {
  method: MobileMethod;
  code: string;
  amountFen: number;
  /** Idempotency key: the same id never charges twice. */ requestId: string;
};
export type ChargeResult = { ok: true; providerRef: string } | { ok: false; reason: string };

/** A payment gateway (WeChat Pay / Alipay through the chain's acquirer). */
export type PaymentProvider = {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { method: MobileMethod; providerRef: string; amountFen: number; requestId: string }): Promise<ChargeResult>;
};

/**
 * Sandbox gateway: approves every code except those ending in `0000` (declined: "insufficient
 * balance"), and answers a repeated requestId with the first answer, as real gateways do.
 */
export function sandboxPaymentProvider(): PaymentProvider {
  const seen = new Map<string, ChargeResult>();
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
    charge: (r) =>
      Promise.resolve(
        once(r.requestId, () =>
          r.code.endsWith('0000')
            ? { ok: false, reason: 'insufficient balance (sandbox)' }
            : { ok: true, providerRef: `SBX-${r.method.toUpperCase()}-${++n}` },
        ),
      ),
    refund: (r) => Promise.resolve(once(r.requestId, () => ({ ok: true, providerRef: `SBX-RF-${++n}` }))),
  };
}
