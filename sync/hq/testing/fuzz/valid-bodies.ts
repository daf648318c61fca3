import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { enrolProofText, rotateProofText } from '../../../protocol/enrol.js';
import { publicKeyToBase64 } from '../../../protocol/signing.js';
import type { FuzzDevice, FuzzTarget } from './fuzz-case.js';
import type { Json } from './mutate.js';
import { receiptNoFor } from '../push-fixture.js';

/**
 * Bodies each endpoint would accept (or, for push, accept in shape): the fuzzer breaks them.
 * Nothing here is ever sent unbroken, except where a case says so.
 */

/** A fresh key pair with its public half as the protocol sends it. */
export function keyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKeyToBase64(publicKey) };
}

/** A UUIDv7-shaped id from the seeded PRNG. */
export function fuzzUuid(target: FuzzTarget): string {
  const hex = (n: number) => Array.from({ length: n }, () => target.prng.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-7${hex(3)}-${target.prng.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}

export function enrolBody(
  code: string,
  deviceId: string,
  key = keyPair(),
  overrides: Partial<Record<string, string>> = {},
): Record<string, string> {
  const proof = sign(null, Buffer.from(enrolProofText(code, deviceId, key.publicKey)), key.privateKey).toString('base64');
  return { code, deviceId, publicKey: key.publicKey, proof, appVersion: '0.1.0-fuzz', hostname: 'fuzz-device', ...overrides };
}

export function rotateBody(deviceId: string, key = keyPair()): Record<string, string> {
  return {
    publicKey: key.publicKey,
    proof: sign(null, Buffer.from(rotateProofText(deviceId, key.publicKey)), key.privateKey).toString('base64'),
  };
}

/** A sale.completed event as a device sends it; `from` decides device, store and staff. */
export function saleEvent(
  target: FuzzTarget,
  from: { deviceId: string; storeId: string; staffId: string },
  overrides: Record<string, Json> = {},
): Record<string, Json> {
  const saleId = fuzzUuid(target);
  return {
    id: fuzzUuid(target),
    type: 'sale.completed',
    staffId: from.staffId,
    deviceId: from.deviceId,
    storeId: from.storeId,
    occurredAt: '2026-11-20T08:00:00.000Z',
    payload: {
      saleId,
      receiptNo: receiptNoFor(from),
      kind: 'sale',
      businessDay: '2026-11-20',
      tillSessionId: 'till-1',
      staffId: from.staffId,
      customerId: null,
      originalSaleId: null,
      lines: [
        {
          lineId: `${saleId}-0`,
          sku: target.sku,
          qty: 1,
          listUnitFen: 19900,
          unitFen: 19900,
          discountFen: 0,
          totalFen: 19900,
          promotions: [],
          originalLineId: null,
        },
      ],
      tenders: [{ method: 'cash', amountFen: 19900, reference: null, providerRef: null }],
      coupons: [],
      points: null,
      totals: { subtotalFen: 19900, discountFen: 0, totalFen: 19900, refundFen: 0, netFen: 19900, changeFen: 0 },
      offline: true,
      createdAt: '2026-11-20T08:00:00.000Z',
    },
    ...overrides,
  };
}

export function cashEvent(
  target: FuzzTarget,
  from: { deviceId: string; storeId: string; staffId: string },
  overrides: Record<string, Json> = {},
): Record<string, Json> {
  return {
    id: fuzzUuid(target),
    type: 'cash.paid_in',
    staffId: from.staffId,
    deviceId: from.deviceId,
    storeId: from.storeId,
    occurredAt: '2026-11-20T08:00:00.000Z',
    payload: { id: fuzzUuid(target), sessionId: 'till-1', amountFen: 5000, reason: 'float', approvedBy: null },
    ...overrides,
  };
}

export const sourceOf = (device: FuzzDevice) => ({ deviceId: device.id, storeId: device.storeId, staffId: device.staffId });

/** A push body of device `d`. Its events are the caller's (the base event is for the other store, so even a miss is rejected). */
export function pushBody(d: FuzzDevice, events: Json[]): Record<string, Json> {
  return { deviceId: d.id, storeId: d.storeId, events };
}

export function pullBody(d: FuzzDevice): Record<string, Json> {
  return {
    scopes: [
      { scope: `brand:${d.brand}`, cursor: '' },
      { scope: `store:${d.storeId}`, cursor: '' },
      { scope: `device:${d.id}`, cursor: '' },
    ],
    limit: 100,
    withTotal: true,
  };
}

export function deadLetterBody(): Record<string, Json> {
  return {
    items: [
      {
        id: 'dl-1',
        type: 'sale.completed',
        reason: 'conflict',
        message: 'receipt taken',
        occurredAt: '2026-11-20T08:00:00.000Z',
        rejectedAt: '2026-11-20T09:00:00.000Z',
      },
    ],
  };
}
