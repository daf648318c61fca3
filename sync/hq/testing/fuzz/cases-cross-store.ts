import { SYNC_PATHS } from '../../../protocol/http.js';
import type { PushRejectReason } from '../../../protocol/push.js';
import type { FuzzCase, FuzzTarget } from './fuzz-case.js';
import { refused, signedPost } from './fuzz-case.js';
import type { Json } from './mutate.js';
import { MEGABYTE_STRING } from './mutate.js';
import { cashEvent, pullBody, pushBody, saleEvent, sourceOf } from './valid-bodies.js';

/** Values of another type than `value` (or too long), so the payload schema must refuse them. */
function brokenValues(value: Json): Json[] {
  if (typeof value === 'string') return [null, 42, { x: 1 }, [], 'x'.repeat(70_000)];
  if (typeof value === 'number') return ['NaN', '1', -1.5, null, {}];
  if (typeof value === 'boolean') return ['true', 1, null];
  if (Array.isArray(value)) return [null, 'x', { x: 1 }];
  if (value === null) return [42, {}, [], true];
  return [null, 'x', []];
}

type Faulty = { event: Record<string, Json>; reasons: PushRejectReason[]; what: string };

/**
 * One event of device A with exactly one fault HQ must reject it for: another store, staff of
 * another store (on the event or in the sale), a sale that does not add up, a payload that breaks
 * the type's schema, or a value PostgreSQL cannot store. Every other field is valid, so the fault alone decides.
 */
function faultyEvent(target: FuzzTarget): Faulty {
  const { a, b, prng } = target;
  const mine = sourceOf(a);
  const make = prng.chance(0.7) ? saleEvent : cashEvent;
  const base = make(target, mine);
  const payload = base.payload as Record<string, Json>;
  const faults: (() => Faulty)[] = [
    () => ({ event: make(target, { ...mine, storeId: b.storeId }), reasons: ['foreign_store'], what: "B's store" }),
    () => ({
      event: make(target, { ...mine, storeId: prng.pick(['', 'loc-NOPE', 'x'.repeat(64), 'loc-S001 ', a.storeId.toLowerCase()]) }),
      reasons: ['foreign_store'],
      what: 'an unknown store',
    }),
    () => ({ event: make(target, { ...mine, staffId: b.staffId }), reasons: ['foreign_staff'], what: "B's staff" }),
    () => ({
      event: make(target, { ...mine, staffId: prng.pick(['nobody', 'nobody-2', "'; DROP TABLE staff; --"]) }),
      reasons: ['foreign_staff'],
      what: 'unknown staff',
    }),
    () => ({
      event: saleEvent(target, mine, { payload: { ...(saleEvent(target, mine).payload as Record<string, Json>), staffId: b.staffId } }),
      reasons: ['foreign_staff'],
      what: "a sale by B's staff",
    }),
    () => ({ event: { ...base, staffId: 'a\u0000b' }, reasons: ['bad_payload', 'foreign_staff'], what: 'a NUL in the staff id' }),
    () =>
      // A type HQ does not know is kept for later (deferred), not a fault any more; a sale that does not add up is.
      base.type === 'sale.completed'
        ? {
            event: {
              ...base,
              payload: {
                ...payload,
                totals: { ...(payload.totals as Record<string, Json>), netFen: (payload.totals as { netFen: number }).netFen + 1 },
              },
            },
            reasons: ['bad_payload'],
            what: 'a sale whose net is not its tenders',
          }
        : { event: { ...base, payload: { ...payload, amountFen: 'x' } }, reasons: ['bad_payload'], what: 'an amount that is not a number' },
    () => {
      const broken = { ...payload };
      const field = prng.pick(
        Object.keys(broken).filter(
          (k) => !['listUnitFen', 'discountFen', 'promotions', 'coupons', 'points', 'providerRef', 'originalLineId'].includes(k),
        ),
      );
      broken[field] = prng.pick(brokenValues(broken[field] ?? null));
      return { event: { ...base, payload: broken }, reasons: ['bad_payload'], what: `payload.${field} broken` };
    },
    () => ({ event: { ...base, payload: null }, reasons: ['bad_payload'], what: 'a null payload' }),
    () => ({ event: { ...base, payload: [] }, reasons: ['bad_payload'], what: 'an array payload' }),
    () => {
      if (base.type !== 'sale.completed')
        return { event: { ...base, payload: { ...payload, amountFen: 1.5 } }, reasons: ['bad_payload'], what: 'fractional fen' };
      return {
        event: { ...base, payload: { ...payload, receiptNo: 'R\u0000' } },
        reasons: ['bad_payload'],
        what: 'a NUL in the receipt number',
      };
    },
    () =>
      base.type === 'sale.completed'
        ? {
            event: { ...base, payload: { ...payload, totals: { totalFen: 1e15, netFen: 1 } } },
            reasons: ['bad_payload'],
            what: 'a total out of range',
          }
        : { event: { ...base, payload: { ...payload, amountFen: -1e15 } }, reasons: ['bad_payload'], what: 'an amount out of range' },
    () => ({
      event: { ...base, type: 'till.opened', payload: { note: 'a\u0000b' } },
      reasons: ['bad_payload'],
      what: 'a NUL in a recorded payload',
    }),
    () => ({
      event: { ...base, type: 'till.opened', payload: { weird: '\ud800' } },
      reasons: ['bad_payload'],
      what: 'a lone surrogate in a recorded payload',
    }),
    () => ({ event: make(target, { ...mine, storeId: b.storeId }), reasons: ['foreign_store'], what: "B's store, huge payload" }),
  ];
  const fault = prng.pick(faults)();
  if (fault.what.endsWith('huge payload'))
    fault.event.payload = { blob: MEGABYTE_STRING, list: Array.from({ length: 50_000 }, (_, i) => i) };
  return fault;
}

/**
 * Device A pushing what is not its own: pushes whose envelope names store B or device B are
 * refused whole (403); events of B's store, B's staff, unknown types and broken payloads are
 * answered `rejected` one by one. Also pulls of B's scopes and of scopes that do not exist.
 */
export function crossStoreCases(target: FuzzTarget): FuzzCase[] {
  const { a, b, prng } = target;
  const cases: FuzzCase[] = [];
  const push = (name: string, body: Json, expect: FuzzCase['steps'][number]['expect']) =>
    cases.push({ family: 'cross-store', name, steps: [{ request: signedPost(target, a, SYNC_PATHS.push, JSON.stringify(body)), expect }] });

  for (let i = 0; i < 100; i++) {
    const faulty = Array.from({ length: prng.int(1, 4) }, () => faultyEvent(target));
    const events = faulty.map((f) => f.event);
    // Sometimes the same rejected event twice in one push.
    if (prng.chance(0.1)) events.push(events[0] as Record<string, Json>);
    const reasons = [...new Set(faulty.flatMap((f) => f.reasons))];
    push(`events: ${faulty.map((f) => f.what).join(', ')}`, pushBody(a, events), {
      kind: 'rejected',
      ids: events.map((e) => e.id as string),
      reasons,
    });
  }
  const mine = sourceOf(a);
  for (let i = 0; i < 6; i++) {
    const event = saleEvent(target, mine);
    push(`envelope: B's store (${i})`, { deviceId: a.id, storeId: b.storeId, events: [event] }, refused('forbidden'));
    push(`envelope: B's device (${i})`, { deviceId: b.id, storeId: a.storeId, events: [event] }, refused('forbidden'));
    push(
      `envelope: B's device and store (${i})`,
      { deviceId: b.id, storeId: b.storeId, events: [saleEvent(target, sourceOf(b))] },
      refused('forbidden'),
    );
    push(
      `an event of B's device among good ones (${i})`,
      pushBody(a, [saleEvent(target, mine), saleEvent(target, { ...mine, deviceId: b.id }), cashEvent(target, mine)]),
      refused('forbidden'),
    );
    push(
      `an event of a device HQ never saw (${i})`,
      pushBody(a, [cashEvent(target, { ...mine, deviceId: '01900000-0000-7000-8000-00000000dead' })]),
      refused('forbidden'),
    );
  }
  const pull = (name: string, body: Json, codes: Parameters<typeof refused>) =>
    cases.push({
      family: 'cross-store',
      name,
      steps: [{ request: signedPost(target, a, SYNC_PATHS.pull, JSON.stringify(body)), expect: refused(...codes) }],
    });
  const base = pullBody(a) as { scopes: { scope: string; cursor: string }[]; limit: number };
  for (const scope of [
    `store:${b.storeId}`,
    `device:${b.id}`,
    `brand:OTHER`,
    `store:${a.storeId}x`,
    `device:${a.id.toUpperCase()}`,
    'brand:*',
    'store:%',
    `store:${b.storeId.toLowerCase()}`,
  ]) {
    pull(`pull ${scope}`, { ...base, scopes: [...base.scopes.slice(0, 1), { scope, cursor: '' }] }, ['forbidden', 'bad_request']);
  }
  for (const scope of ['customer:all', 'brand:', 'store:../../etc', 'STORE:x', `store:${a.storeId};drop`, 'x'.repeat(100), '']) {
    pull(`pull unknown scope ${JSON.stringify(scope.slice(0, 20))}`, { ...base, scopes: [{ scope, cursor: '' }] }, ['bad_request']);
  }
  const cursors = [
    'x',
    '1:2',
    ':::',
    '-1:0:',
    '1:1000:',
    '99999999999999999999:0:',
    '18446744073709551616:0:',
    '1:0:\u0000',
    'a'.repeat(513),
    '1:1:' + 'k'.repeat(600),
    '0x1:0:',
    '１:0:',
  ];
  for (const cursor of cursors) {
    pull(`pull cursor ${JSON.stringify(cursor.slice(0, 24))}`, { ...base, scopes: [{ scope: `store:${a.storeId}`, cursor }] }, [
      'bad_request',
    ]);
  }
  return cases;
}
