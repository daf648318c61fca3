import { describe, expect, it } from 'vitest';
import type { CartState, EventFrame, MemberView, ReturnLine } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { EventBus } from '../api/event-bus.js';
import type { CartData, TenderRecord } from './cart.js';
import { CurrentCart } from './current-cart.js';
import type { CurrentCartDeps } from './current-cart.js';
import type { MemberDirectory } from './members.js';
import type { Promotion } from './pricing.js';
import type { PromotionBook } from './promotions.js';
import { testCartItem, testPromotion } from '../testing/cart-fixtures.js';

// The device's one cart, with its collaborators stood in for: a promotion book and a member
// directory that answer what the test gives them and record what they were asked.

const NOW = new Date('2026-04-01T10:00:00.000Z');

const item = (lineId: string, qty: number, listUnitFen: number) => testCartItem(lineId, qty, listUnitFen);

const member = (id: string): MemberView => ({
  id,
  code: `M-${id}`,
  name: 'Li',
  phone: '138****5678',
  tier: 'gold',
  points: 5_000,
  pointsPerYuan: 100,
  coupons: [],
});

const tenPercentOff = testPromotion('P10', { name: { zh: '九折', en: '10 % off' }, percentBp: 1_000, withItemPromotions: false });

const returnLine = (lineId: string, refundFen: number): ReturnLine => ({
  lineId,
  saleLineId: `sl-${lineId}`,
  sku: 'SKU-R',
  name: { zh: '裤', en: 'Trousers' },
  colour: { zh: '黑', en: 'Black' },
  size: 'L',
  qty: 1,
  unitPaidFen: refundFen,
  refundFen,
});

const tender = (tenderId: string, amountFen: number): TenderRecord => ({
  tenderId,
  method: 'cash',
  amountFen,
  givenFen: amountFen,
  changeFen: 0,
});

function setup(
  options: {
    online?: boolean;
    promotions?: Promotion[];
    pointsValue?: (points: number) => number | undefined;
    withOnReset?: boolean;
    clock?: () => Date;
  } = {},
) {
  let n = 0;
  const asked = { promotionsAt: [] as Date[], views: [] as [string, Date][], points: [] as number[] };
  const resets: string[] = [];
  const frames: EventFrame[] = [];
  const events = new EventBus();
  events.subscribe((f) => frames.push(f));
  const known = new Set(['cus-1', 'cus-2']);
  const deps: CurrentCartDeps = {
    promotions: {
      promotions: (now: Date) => {
        asked.promotionsAt.push(now);
        return options.promotions ?? [];
      },
    } as unknown as PromotionBook,
    members: {
      view: (id: string, now: Date) => {
        asked.views.push([id, now]);
        return known.has(id) ? member(id) : undefined;
      },
      pointsValueFen: (points: number) => {
        asked.points.push(points);
        return (options.pointsValue ?? ((p: number) => Math.floor(p / 100) * 100))(points);
      },
    } as unknown as MemberDirectory,
    isOnline: () => options.online ?? true,
    events,
    clock: options.clock ?? (() => NOW),
    newId: () => `cart-${++n}`,
    ...(options.withOnReset === false ? {} : { onReset: (id: string) => resets.push(id) }),
  };
  return { cart: new CurrentCart(deps), asked, resets, frames };
}

const conflict = (message: string) => expect.objectContaining({ code: 'CONFLICT', message }) as unknown;

describe('the current cart', () => {
  it('starts empty, with a fresh id and no member', () => {
    const { cart } = setup();
    expect(cart.data).toEqual({
      id: 'cart-1',
      items: [],
      memberId: null,
      coupons: [],
      points: 0,
      tenders: [],
      ret: null,
      refundSources: [],
      refundPaid: false,
    });
    expect(cart.memberView).toBeNull();
    expect(cart.paying).toBe(false);
    expect(cart.beingPaid).toBe(false);
  });

  it('renders with the promotions in force at the clock’s time and stamps the state with it', () => {
    const { cart, asked } = setup({ promotions: [tenPercentOff] });
    cart.data.items.push(item('l1', 2, 10_000));
    const state = cart.state();
    expect(asked.promotionsAt).toEqual([NOW]);
    expect(state.updatedAt).toBe('2026-04-01T10:00:00.000Z');
    expect(state.totals.subtotalFen).toBe(20_000);
    expect(state.totals.promotionDiscountFen).toBe(2_000);
    expect(state.totals.totalFen).toBe(18_000);
    expect(cart.render().pricing.totals.totalFen).toBe(18_000);
  });

  it('values redeemed points through the member directory, and asks nothing when none are redeemed', () => {
    const { cart, asked } = setup();
    cart.data.items.push(item('l1', 1, 10_000));
    expect(cart.state().totals.pointsFen).toBe(0);
    expect(cart.state().points).toBeNull();
    expect(asked.points).toEqual([]);
    cart.data.points = 1_250;
    const state = cart.state();
    expect(asked.points).toEqual([1_250]);
    expect(state.points).toEqual({ redeemed: 1_250, valueFen: 1_200, offline: false });
    expect(state.totals.pointsFen).toBe(1_200);
    expect(state.totals.totalFen).toBe(8_800);
  });

  it('counts points the directory cannot value as worth nothing', () => {
    const { cart } = setup({ pointsValue: () => undefined });
    cart.data.items.push(item('l1', 1, 10_000));
    cart.data.points = 500;
    const state = cart.state();
    expect(state.points).toEqual({ redeemed: 500, valueFen: 0, offline: false });
    expect(state.totals.totalFen).toBe(10_000);
  });

  it('marks points and coupons offline while HQ cannot be reached, and not when it can', () => {
    const coupon = {
      code: 'C1',
      kind: 'amount' as const,
      name: { zh: '券', en: 'Coupon' },
      valueFen: 500,
      thresholdFen: 0,
      percentBp: 0,
      stackable: true,
    };
    for (const online of [true, false]) {
      const { cart } = setup({ online });
      cart.data.items.push(item('l1', 1, 10_000));
      cart.data.points = 100;
      cart.data.coupons.push(coupon);
      const state = cart.state();
      expect(state.points?.offline).toBe(!online);
      expect(state.coupons.map((c) => c.offline)).toEqual([!online]);
    }
  });

  it('pushes every change to the screens and answers with the same state', () => {
    const { cart, frames } = setup();
    cart.data.items.push(item('l1', 1, 3_000));
    const state = cart.changed();
    expect(state.totals.totalFen).toBe(3_000);
    expect(frames).toEqual([{ t: 'evt', name: 'cart.changed', payload: state }]);
  });

  it('refuses edits while a payment is taken, under way, or once the refund is paid, each with its reason', async () => {
    const { cart } = setup();
    const edit = cart.editing((input: number, caller: string) => `${caller}:${input}`);
    expect(edit(3, 'S001-02')).toBe('S001-02:3');
    expect(() => cart.assertEditable()).not.toThrow();

    cart.addTender(tender('t1', 100));
    expect(() => edit(3, 'S001-02')).toThrow(AppError);
    expect(() => edit(3, 'S001-02')).toThrow(conflict('A payment has been taken: remove the payments before changing the cart') as Error);
    cart.removeTender('t1');
    expect(edit(4, 'x')).toBe('x:4');

    let during: unknown;
    await cart.exclusive(async () => {
      try {
        cart.assertEditable();
      } catch (error) {
        during = error;
      }
    });
    expect(during).toEqual(conflict('A payment is in progress: wait for it to finish'));

    cart.markRefundPaid();
    expect(cart.data.refundPaid).toBe(true);
    expect(() => cart.assertEditable()).toThrow(conflict('The refund has been paid back: complete this return as it is') as Error);
  });

  it('does not run an edit it refuses', () => {
    const { cart } = setup();
    const ran: number[] = [];
    const edit = cart.editing((input: number) => ran.push(input));
    cart.addTender(tender('t1', 100));
    expect(() => edit(1, null)).toThrow();
    expect(ran).toEqual([]);
  });

  it('resets to a new empty cart without its member, and hands the old id over for its holds', () => {
    const { cart, resets } = setup();
    cart.setMember('cus-1');
    cart.data.items.push(item('l1', 1, 100));
    cart.addTender(tender('t1', 100));
    cart.reset();
    expect(resets).toEqual(['cart-1']);
    expect(cart.data.id).toBe('cart-2');
    expect(cart.data.items).toEqual([]);
    expect(cart.data.tenders).toEqual([]);
    expect(cart.data.memberId).toBeNull();
    expect(cart.memberView).toBeNull();
  });

  it('resets without anyone to tell', () => {
    const { cart } = setup({ withOnReset: false });
    cart.reset();
    expect(cart.data.id).toBe('cart-2');
  });

  it('sets a member with a fresh view at the clock’s time, unknown ones as no view, and clears it', () => {
    const { cart, asked } = setup();
    cart.setMember('cus-1');
    expect(cart.data.memberId).toBe('cus-1');
    expect(cart.memberView).toEqual(member('cus-1'));
    expect(asked.views).toEqual([['cus-1', NOW]]);
    expect(cart.state().member).toEqual(member('cus-1'));
    cart.setMember('cus-9');
    expect(cart.data.memberId).toBe('cus-9');
    expect(cart.memberView).toBeNull();
    cart.setMember(null);
    expect(cart.data.memberId).toBeNull();
    expect(cart.memberView).toBeNull();
    expect(asked.views.map(([id]) => id)).toEqual(['cus-1', 'cus-9']);
    const fresh = { ...member('cus-2'), points: 42 };
    cart.refreshMember(fresh);
    expect(cart.memberView).toBe(fresh);
  });

  it('restores a parked cart as it was parked, with nothing else of the cart before it', () => {
    const { cart, asked } = setup();
    cart.addTender(tender('t1', 100));
    cart.startReturn({ receiptNo: 'R1', saleId: 's1', lines: [returnLine('r1', 500)] }, [{ method: 'cash', availableFen: 500 }]);
    cart.markRefundPaid();
    const items = [item('l1', 2, 1_000)];
    cart.restore({ id: 'parked-1', items, memberId: 'cus-2', coupons: [], points: 300 });
    expect(cart.data).toEqual({
      id: 'parked-1',
      items,
      memberId: 'cus-2',
      coupons: [],
      points: 300,
      tenders: [],
      ret: null,
      refundSources: [],
      refundPaid: false,
    });
    expect(cart.memberView).toEqual(member('cus-2'));
    expect(asked.views).toEqual([['cus-2', NOW]]);
    cart.restore({ id: 'parked-2', items: [], memberId: null, coupons: [], points: 0 });
    expect(cart.memberView).toBeNull();
    expect(asked.views).toHaveLength(1);
    cart.restore({ id: 'parked-3', items: [], memberId: 'gone', coupons: [], points: 0 });
    expect(cart.memberView).toBeNull();
  });

  it('brings back a return paid before a restart, whole, with its member, fixed', () => {
    const { cart } = setup();
    const data: CartData = {
      id: 'ret-cart',
      items: [],
      memberId: 'cus-1',
      coupons: [],
      points: 0,
      tenders: [],
      ret: { receiptNo: 'R9', saleId: 'sale-9', lines: [returnLine('r1', 2_000)] },
      refundSources: [{ method: 'card', availableFen: 2_000, reference: 'ref-1' }],
      refundPaid: false,
    };
    cart.resumePaidReturn(data);
    expect(cart.data).toEqual({ ...data, refundPaid: true });
    expect(cart.memberView).toEqual(member('cus-1'));
    expect(() => cart.assertEditable()).toThrow(conflict('The refund has been paid back: complete this return as it is') as Error);
    expect(cart.state().refunds).toEqual([{ method: 'card', amountFen: 2_000 }]);
  });

  it('keeps tenders in order and removes only the one named', () => {
    const { cart } = setup();
    cart.addTender(tender('t1', 100));
    cart.addTender(tender('t2', 200));
    cart.addTender(tender('t3', 300));
    expect(cart.beingPaid).toBe(true);
    expect(cart.paying).toBe(false);
    cart.removeTender('t2');
    expect(cart.tenders.map((t) => t.tenderId)).toEqual(['t1', 't3']);
    expect(cart.data.tenders).toBe(cart.tenders);
    cart.removeTender('t1');
    cart.removeTender('t3');
    expect(cart.tenders).toEqual([]);
    expect(cart.beingPaid).toBe(false);
  });

  it('prices the cart as of its first payment until the last payment is removed', () => {
    let now = NOW;
    const later = new Date(NOW.getTime() + 90_000);
    const { cart, asked } = setup({ promotions: [tenPercentOff], clock: () => now });
    cart.data.items.push(item('l1', 1, 10_000));
    cart.holdPrices();
    cart.addTender(tender('t1', 1_000));
    now = later;
    cart.holdPrices(); // a second payment keeps the first one's time
    cart.addTender(tender('t2', 2_000));
    expect(cart.data.pricedAt).toBe(NOW.toISOString());
    asked.promotionsAt.length = 0;
    expect(cart.state().totals.totalFen).toBe(9_000);
    expect(asked.promotionsAt).toEqual([NOW]);
    // A payment step that took nothing lets go only when no payment is left.
    cart.releasePrices();
    cart.removeTender('t1');
    expect(cart.data.pricedAt).toBe(NOW.toISOString());
    cart.removeTender('t2');
    expect(cart.data.pricedAt).toBeUndefined();
    asked.promotionsAt.length = 0;
    cart.state();
    expect(asked.promotionsAt).toEqual([later]);
  });

  it('runs payment steps one at a time, refuses a second meanwhile, and is free again after a failure', async () => {
    const { cart } = setup();
    let release!: () => void;
    const first = cart.exclusive(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('charged');
        }),
    );
    expect(cart.paying).toBe(true);
    expect(cart.beingPaid).toBe(true);
    let ran = false;
    await expect(
      cart.exclusive(async () => {
        ran = true;
      }),
    ).rejects.toEqual(conflict('A payment is in progress: wait for it to finish'));
    expect(ran).toBe(false);
    release();
    await expect(first).resolves.toBe('charged');
    expect(cart.paying).toBe(false);
    await expect(cart.exclusive(() => Promise.reject(new Error('gateway down')))).rejects.toThrow('gateway down');
    expect(cart.paying).toBe(false);
    await expect(cart.exclusive(async () => 7)).resolves.toBe(7);
  });

  it('starts, edits and cancels a return, and plans its refund over the sources', () => {
    const { cart } = setup();
    expect(() => cart.setReturnLines([returnLine('r1', 500)])).toThrow(conflict('Start a return with the receipt first') as Error);
    expect(cart.data.ret).toBeNull();
    const sources = [
      { method: 'card' as const, availableFen: 3_000, reference: 'ref-c' },
      { method: 'cash' as const, availableFen: 1_000 },
    ];
    cart.startReturn({ receiptNo: 'R1', saleId: 's1', lines: [returnLine('r1', 500)] }, sources);
    expect(cart.data.refundSources).toBe(sources);
    const lines = [returnLine('r1', 1_500), returnLine('r2', 2_000)];
    cart.setReturnLines(lines);
    expect(cart.data.ret).toEqual({ receiptNo: 'R1', saleId: 's1', lines });
    const state: CartState = cart.state();
    expect(state.totals.refundFen).toBe(3_500);
    expect(state.refunds).toEqual([
      { method: 'card', amountFen: 3_000 },
      { method: 'cash', amountFen: 500 },
    ]);
    expect(cart.refundPlan(3_500, 0)).toEqual([
      { method: 'card', amountFen: 3_000, reference: 'ref-c' },
      { method: 'cash', amountFen: 500 },
    ]);
    cart.cancelReturn();
    expect(cart.data.ret).toBeNull();
    expect(cart.data.refundSources).toEqual([]);
    expect(cart.refundPlan(700, 0)).toEqual([{ method: 'cash', amountFen: 700 }]);
  });
});
