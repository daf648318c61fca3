import { deviceProfileSchema } from '../api/contract.js';
import type { DeviceProfile } from '../api/contract.js';
import { writeChange } from '../store/outbox.js';
import type { OutboxContext } from '../store/outbox.js';

/** No printer, no serial/HID scanners (wedge scanners need no profile), no drawer. */
export const DEFAULT_PROFILE: DeviceProfile = { scanners: [], printer: null, drawer: { kind: 'none' } };

const KEY = 'devices.profile';

/** Reads the stored profile; one written by another app version that no longer parses falls back to the default. */
export function readProfile(outbox: OutboxContext): DeviceProfile {
  const row = outbox.db.prepare('SELECT value FROM setting WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return DEFAULT_PROFILE;
  const parsed = deviceProfileSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_PROFILE;
}

/** Stores the profile with its audit event (`device.profile_changed`) in one transaction. */
export function saveProfile(outbox: OutboxContext, profile: DeviceProfile, staffId: string | null): DeviceProfile {
  const now = outbox.clock().toISOString();
  writeChange(outbox, { type: 'device.profile_changed', payload: { profile }, staffId }, (db) => {
    db.prepare(
      'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ).run(KEY, JSON.stringify(profile), now);
  });
  return profile;
}
