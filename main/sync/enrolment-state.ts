import type { Database } from 'better-sqlite3-multiple-ciphers';

function meta(db: Database, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/**
 * Where an enrolled device syncs, or null for a device that never enrolled. Enrolled means what
 * the replicator needs (sync/client/identity.ts): HQ's address and the device's private key.
 */
export function enrolledHq(db: Database): { hqUrl: string } | null {
  const hqUrl = meta(db, 'hq_url');
  return hqUrl && meta(db, 'device_private_key') ? { hqUrl } : null;
}
