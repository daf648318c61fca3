import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** What enrolment gave this device, kept in `meta` (the store is encrypted, so the private key is too). */
export type DeviceIdentity = {
  deviceId: string;
  storeId: string;
  hqUrl: string;
  brand: string;
  storeCode: string;
  receiptCode: string;
  scopes: string[];
  enrolledAt: string;
  privateKey: KeyObject;
  /** HQ's public key (base64) pinned at enrolment: every answer must be signed with it (hq-trust.ts). */
  hqPublicKey: string | null;
  /** The CA (PEM) HQ's TLS certificate is checked against, when it is not one the system trusts. */
  hqCa: string | null;
};

export const IDENTITY_KEYS = [
  'device_id',
  'store_id',
  'hq_url',
  'brand',
  'store_code',
  'receipt_code',
  'scopes',
  'enrolled_at',
  'device_private_key',
  'hq_public_key',
  'hq_ca',
] as const;

export function readMeta(db: Database, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/** The enrolled identity, or null when this device was never enrolled (standalone demo). */
export function readIdentity(db: Database): DeviceIdentity | null {
  const rows = db.prepare(`SELECT key, value FROM meta WHERE key IN (${IDENTITY_KEYS.map(() => '?').join(',')})`).all(...IDENTITY_KEYS) as {
    key: string;
    value: string;
  }[];
  const m = new Map(rows.map((r) => [r.key, r.value]));
  const pem = m.get('device_private_key');
  const hqUrl = m.get('hq_url');
  if (!pem || !hqUrl) return null;
  return {
    deviceId: m.get('device_id') ?? '',
    storeId: m.get('store_id') ?? '',
    hqUrl,
    brand: m.get('brand') ?? '',
    storeCode: m.get('store_code') ?? '',
    receiptCode: m.get('receipt_code') ?? '',
    scopes: JSON.parse(m.get('scopes') ?? '[]') as string[],
    enrolledAt: m.get('enrolled_at') ?? '',
    privateKey: createPrivateKey({ key: pem, format: 'pem' }),
    hqPublicKey: m.get('hq_public_key') ?? null,
    hqCa: m.get('hq_ca') ?? null,
  };
}
