import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SaleResult } from '../api/contract.js';
import { readOutbox } from '../store/outbox.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import type { Sku } from '../../fixtures/generate.js';
import { sandboxPaymentProvider } from './payments.js';
import type { ChargeResult, PaymentProvider } from './payments.js';
import { HEARTBEAT_MS, LEASE_MS } from './till-lease.js';

// Two tills on one store file, one gateway: a till's recovery gives back only the money of charges
// no running till can still record — never a charge in another till's open cart.

const data = sampleData();
const styleOf = new Map(data.styles.map((s) => [s.code, s]));
const plain = data.skus.filter((s) => s.active && !['Down jacket', 'Jeans'].includes(styleOf.get(s.style_code)?.category_en ?? ''));
const SHIRT = plain[0] as Sku;
const CASHIER = 'S001-02';
const MANAGER = 'S001-01';
const WECHAT_CODE = '134567890123456789';

type Gateway = PaymentProvider & { charges: string[]; reversals: string[] };

let dir: ReturnType<typeof tempDir>;
let gw: Gateway;
let now: number;
const tills: TestCheckout[] = [];

beforeEach(() => {
  now = Date.UTC(2026, 10, 22, 2, 0, 0);
  dir = tempDir();
  const sandbox = sandboxPaymentProvider();
  gw = {
    ...sandbox,
    charges: [],
    reversals: [],
    charge: (r) => {
      gw.charges.push(r.requestId);
      return sandbox.charge(r);
    },
    reverse: (r) => {
      gw.reversals.push(r.requestId);
      return sandbox.reverse(r);
    },
  };
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
  dir.cleanup();
});

/** A till on the shared store file, logged in, the day's till open. */
async function till(): Promise<TestCheckout> {
  const t = openTestCheckout({
    dbPath: join(dir.path, 'shopfloor.db'),
    keyPath: join(dir.path, 'store.key'),
    clock: () => new Date(now),
    online: () => true,
    payments: gw,
  });
  tills.push(t);
  if (tills.length === 1) {
    t.store.db.prepare('UPDATE sku SET price_fen = 10000 WHERE sku = ?').run(SHIRT.sku);
    t.store.db.exec('DELETE FROM promotion');
  }
  await t.call('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
  if (!t.services.tills.open()) await t.call('cashup', 'open', { floatFen: 50_000 });
  return t;
}

/** The shirt in the cart, paid by WeChat Pay: the customer's ¥100 is at the gateway. */
async function paidByWechat(t: TestCheckout): Promise<void> {
  await t.call('checkout', 'scan', { code: SHIRT.ean });
  await t.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
}

/** Time passes on the shared clock while the running tills' heartbeats fire. */
async function timePasses(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += HEARTBEAT_MS) {
    now += HEARTBEAT_MS;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
  }
}

/**
 * Two tills on one store file: B took a WeChat charge and then hung (its heartbeat never ran) for
 * longer than a lease, while A ran. Needs the fake intervals of the test that calls it.
 */
async function bHungPastItsLease(): Promise<{ a: TestCheckout; b: TestCheckout; charge: string }> {
  const a = await till();
  const b = await till();
  a.services.lease.start();
  await paidByWechat(b);
  const charge = gw.charges[0]!;
  await timePasses(LEASE_MS + HEARTBEAT_MS);
  return { a, b, charge };
}

const stateOf = (t: TestCheckout, id: string) =>
  t.store.db.prepare('SELECT state FROM payment_intent WHERE id = ?').pluck().get(id) as string | undefined;
const reversedAudits = (t: TestCheckout) => readOutbox(t.store.db, 10_000).filter((e) => e.type === 'device.payment_reversed');

describe('payment recovery with two tills on one store file', () => {
  it('leaves alone a WeChat charge in the other till’s open cart, and that till completes the sale with it', async () => {
    const a = await till();
    const b = await till();
    await paidByWechat(b);
    const charge = gw.charges[0]!;

    expect(await a.services.recovery.run()).toBe(0);

    expect(gw.reversals).toEqual([]);
    expect(stateOf(a, charge)).toBe('paid');
    const { sale } = await b.call<SaleResult>('checkout', 'complete');
    expect(sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', 10_000]]);
    expect(stateOf(a, charge)).toBe('settled');
    expect(reversedAudits(a)).toEqual([]);
  });
});

describe('payment recovery with two tills on one store file', () => {
  it('leaves alone a charge another till is still waiting on the gateway for', async () => {
    const a = await till();
    const b = await till();
    await b.call('checkout', 'scan', { code: SHIRT.ean });
    const charge = gw.charge;
    let answer: (r: ChargeResult) => void = () => undefined;
    gw.charge = (r) => {
      gw.charges.push(r.requestId);
      return new Promise((ok) => (answer = ok));
    };
    const paying = b.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
    await new Promise((r) => setImmediate(r));
    expect(stateOf(a, gw.charges[0]!)).toBe('pending');

    expect(await a.services.recovery.run()).toBe(0);

    expect(gw.reversals).toEqual([]);
    answer({ ok: true, providerRef: 'WX-B' });
    await paying;
    gw.charge = charge;
    expect((await b.call<SaleResult>('checkout', 'complete')).sale.tenders.map((t) => t.reference)).toEqual(['WX-B']);
  });

  it('gives back a dead till’s charge once its lease lapses: asked of the gateway once and audited once, though both tills recover', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const a = await till();
      const b = await till();
      const c = await till();
      for (const t of [a, b, c]) t.services.lease.start();
      await paidByWechat(c);
      const charge = gw.charges[0]!;
      // Till C's process is killed: its cart is gone, its lease is not released.
      c.crash();
      tills.splice(tills.indexOf(c), 1);

      // Its lease has not lapsed yet: C may only be slow.
      await timePasses(LEASE_MS - HEARTBEAT_MS);
      expect(await a.services.recovery.run()).toBe(0);
      expect(gw.reversals).toEqual([]);

      await timePasses(2 * HEARTBEAT_MS);
      expect(await Promise.all([a.services.recovery.run(), b.services.recovery.run()])).toEqual([0, 0]);

      expect(gw.reversals).toEqual([charge]);
      expect(stateOf(a, charge)).toBe('reversed');
      expect(reversedAudits(a).map((e) => e.payload)).toMatchObject([{ requestId: charge, amountFen: 10_000, wasPaid: true }]);
      // Nothing is left for either till.
      expect(await b.services.recovery.run()).toBe(0);
      expect(gw.reversals).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives back a closed till’s charge at once: it released its lease', async () => {
    const a = await till();
    const b = await till();
    await paidByWechat(b);
    b.close();
    tills.splice(tills.indexOf(b), 1);

    expect(await a.services.recovery.run()).toBe(0);

    expect(gw.reversals).toEqual([gw.charges[0]]);
  });

  it('a till restarted after a crash gives back its own lost charge once the old instance’s lease lapses, not before', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const first = await till();
      first.services.lease.start();
      await paidByWechat(first);
      first.crash();
      tills.splice(tills.indexOf(first), 1);
      const again = await till();
      again.services.lease.start();
      // The new instance cannot tell its old self from another till that is only slow.
      expect(await again.services.recovery.run()).toBe(0);
      expect(gw.reversals).toEqual([]);

      await timePasses(LEASE_MS);
      expect(await again.services.recovery.run()).toBe(0);

      expect(gw.reversals).toEqual([gw.charges[0]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after the machine slept, a till does not take the other running tills for dead before they could beat again', async () => {
    const a = await till();
    const b = await till();
    await paidByWechat(b);
    // Both tills slept for five minutes: no heartbeat ran, B's lease looks lapsed when A wakes first.
    now += 5 * 60_000;

    expect(await a.services.recovery.run()).toBe(0);

    expect(gw.reversals).toEqual([]);
    b.services.lease.beat();
    expect((await b.call<SaleResult>('checkout', 'complete')).sale.tenders).toHaveLength(1);
  });
});

describe('a machine that slept for just under a lease', () => {
  it('does not make a running till look dead to the till that wakes first, though their heartbeats were not in step', async () => {
    const a = await till();
    const b = await till();
    await paidByWechat(b);
    // B beat as it started; A's heartbeat runs 8 s after B's (their timers are not in step).
    now += 8_000;
    a.services.lease.beat();
    // The machine sleeps 55 s. On waking, B's lease has lapsed; A's own last beat is only 55 s old.
    now += 55_000;

    expect(await a.services.recovery.run()).toBe(0);

    expect(gw.reversals).toEqual([]);
    b.services.lease.beat();
    const { sale } = await b.call<SaleResult>('checkout', 'complete');
    expect(sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', 10_000]]);
  });
});

describe("a long write transaction of one till, which holds up every other till's heartbeat", () => {
  it('does not make a running till look dead to another till whose own beats were held up too', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const a = await till();
      const b = await till();
      const c = await till();
      for (const t of [a, b]) {
        t.services.lease.start();
        // Fails at once instead of waiting 5 s: the test's time is fake, the lock is real.
        t.store.db.pragma('busy_timeout = 0');
      }
      await paidByWechat(b);
      // Till C writes in one long transaction (an index build after provisioning on a slow till):
      // no other till can renew its lease meanwhile.
      c.store.db.exec('BEGIN IMMEDIATE');
      await timePasses(LEASE_MS + HEARTBEAT_MS);
      c.store.db.exec('COMMIT');

      // A's recovery runs before B's next heartbeat: B's lease has lapsed, though B ran all along.
      expect(await a.services.recovery.run()).toBe(0);

      expect(gw.reversals).toEqual([]);
      b.services.lease.beat();
      const { sale } = await b.call<SaleResult>('checkout', 'complete');
      expect(sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', 10_000]]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a till that did not beat for longer than its lease', () => {
  it('cannot complete with the charge another till gave back meanwhile: the payment leaves the cart and is taken again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      // B hangs for longer than a lease: to A it is dead, and A gives its charge back.
      const { a, b, charge } = await bHungPastItsLease();
      expect(await a.services.recovery.run()).toBe(0);
      expect(gw.reversals).toEqual([charge]);

      const refused = await b.fail('checkout', 'complete');

      expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/WeChat Pay payment was cancelled/) });
      expect(b.store.db.prepare('SELECT count(*) FROM sale').pluck().get()).toBe(0);
      expect((await b.call<{ tenders: unknown[] }>('checkout', 'cart')).tenders).toEqual([]);
      await b.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      const { sale } = await b.call<SaleResult>('checkout', 'complete');
      expect(sale.tenders.map((t) => [t.method, t.amountFen])).toEqual([['wechat', 10_000]]);
      expect(stateOf(b, charge)).toBe('reversed');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a till that resumes while another till is giving its charge back', () => {
  it('cannot complete with a charge another till took over and is reversing: the sale is not recorded with money the customer gets back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      // B hangs for longer than a lease: A takes it for dead and asks the gateway to reverse its charge.
      const { a, b, charge } = await bHungPastItsLease();
      const reverse = gw.reverse;
      let answer: (() => void) | undefined;
      gw.reverse = (r) => new Promise((ok) => (answer = () => ok(reverse(r))));
      const recovering = a.services.recovery.run();
      while (!answer) await new Promise((r) => setImmediate(r));

      // B runs again while the gateway is still answering A, and the cashier completes the sale.
      b.services.lease.beat();
      const refused = await b.fail('checkout', 'complete');
      answer();
      expect(await recovering).toBe(0);

      expect(refused).toMatchObject({ code: 'CONFLICT' });
      expect(gw.reversals).toEqual([charge]);
      expect(b.store.db.prepare('SELECT count(*) FROM sale').pluck().get()).toBe(0);
      expect(stateOf(b, charge)).toBe('reversed');
      expect(reversedAudits(a).map((e) => e.payload)).toMatchObject([{ requestId: charge, amountFen: 10_000 }]);
      expect((await b.call<{ tenders: unknown[] }>('checkout', 'cart')).tenders).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('voiding a payment another till gave back while this till hung', () => {
  it('takes it out of the cart without asking the gateway to refund money the customer has back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { a, b, charge } = await bHungPastItsLease();
      expect(await a.services.recovery.run()).toBe(0);
      expect(gw.reversals).toEqual([charge]);
      const refunds: string[] = [];
      const refund = gw.refund;
      gw.refund = (r) => {
        refunds.push(r.requestId);
        return refund(r);
      };

      // B runs again; the customer changed their mind, and the cashier voids the payment.
      b.services.lease.beat();
      const { token } = await b.call<{ token: string }>('staff', 'approve', {
        managerCode: MANAGER,
        pin: demoPin(MANAGER),
        action: 'void_tender',
      });
      const cart = await b.call<{ tenders: unknown[] }>('checkout', 'removeTender', { tenderId: charge, approvalToken: token });

      expect(cart.tenders).toEqual([]);
      expect(refunds).toEqual([]);
      expect(stateOf(b, charge)).toBe('reversed');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a till that hung while the gateway was answering its charge', () => {
  it('keeps the charge another till gave back meanwhile given back: the late answer does not reopen it, nor is it reversed and audited twice', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const a = await till();
      const b = await till();
      a.services.lease.start();
      await b.call('checkout', 'scan', { code: SHIRT.ean });
      const charge = gw.charge;
      let answer: (r: ChargeResult) => void = () => undefined;
      gw.charge = (r) => {
        gw.charges.push(r.requestId);
        return new Promise((ok) => (answer = ok));
      };
      const paying = b.call('checkout', 'addTender', { method: 'mobile', code: WECHAT_CODE });
      while (gw.charges.length === 0) await new Promise((r) => setImmediate(r));
      const id = gw.charges[0]!;
      // B hangs for longer than a lease before the answer is read: A takes it for dead and gives the charge back.
      await timePasses(LEASE_MS + HEARTBEAT_MS);
      expect(await a.services.recovery.run()).toBe(0);
      expect(stateOf(a, id)).toBe('reversed');

      // B runs again and reads the gateway's (late) answer to the charge.
      answer({ ok: true, providerRef: 'WX-LATE' });
      await expect(paying).rejects.toThrow(/PAYMENT_DECLINED: .*cancelled at the gateway/);
      gw.charge = charge;
      await timePasses(HEARTBEAT_MS);
      expect(await a.services.recovery.run()).toBe(0);

      expect(stateOf(a, id)).toBe('reversed');
      expect(gw.reversals).toEqual([id]);
      expect(reversedAudits(a)).toHaveLength(1);
      expect((await b.call<{ tenders: unknown[] }>('checkout', 'cart')).tenders).toEqual([]);
      expect(b.store.db.prepare('SELECT count(*) FROM sale').pluck().get()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a till whose recovery found nothing to do at start', () => {
  it('still gives back the charge of another till that dies later, without being restarted', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const a = await till();
      // As the terminal does at start: nothing is left over.
      a.services.lease.start();
      a.services.recovery.start();
      const b = await till();
      b.services.lease.start();
      await paidByWechat(b);
      b.crash();
      tills.splice(tills.indexOf(b), 1);

      await timePasses(LEASE_MS + 4 * HEARTBEAT_MS);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));

      expect(gw.reversals).toEqual([gw.charges[0]]);
      expect(reversedAudits(a)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
