import { settingsSchema } from '../api/contract.js';
import type { ParsedInput, Settings } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { writeChange } from '../store/outbox.js';
import type { OutboxContext } from '../store/outbox.js';

export const DEFAULT_SETTINGS: Settings = {
  language: 'zh-CN',
  kiosk: false,
  wedge: { maxInterKeyMs: 50, minLength: 6, terminator: 'Enter', prefix: '', suffix: '' },
};

const KEY = 'device';

/** Device settings, kept in the local store; every change is audited through the outbox. */
export class SettingsService {
  constructor(private readonly outbox: OutboxContext) {}

  get(): Settings {
    const row = this.outbox.db.prepare('SELECT value FROM setting WHERE key = ?').get(KEY) as { value: string } | undefined;
    if (!row) return DEFAULT_SETTINGS;
    // Settings written by an older app version may lack newer fields: defaults fill them in.
    const stored = JSON.parse(row.value) as Partial<Settings>;
    const merged = { ...DEFAULT_SETTINGS, ...stored, wedge: { ...DEFAULT_SETTINGS.wedge, ...stored.wedge } };
    const parsed = settingsSchema.safeParse(merged);
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  update(patch: ParsedInput<'settings', 'update'>, staffId: string | null): Settings {
    const current = this.get();
    const next = settingsSchema.safeParse({ ...current, ...patch, wedge: { ...current.wedge, ...patch.wedge } });
    if (!next.success) throw new AppError('BAD_INPUT', 'These settings are not valid');
    const changed = (Object.keys(patch) as (keyof Settings)[]).filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next.data[k]));
    if (changed.length === 0) return current;
    const now = this.outbox.clock().toISOString();
    writeChange(this.outbox, { type: 'device.settings_changed', payload: { changed, settings: next.data }, staffId }, (db) => {
      db.prepare(
        'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ).run(KEY, JSON.stringify(next.data), now);
    });
    return next.data;
  }
}
