import { z } from 'zod';
import { empty, method } from '../define.js';

export const wedgeSettingsSchema = z
  .object({
    /** Longest gap between two keys of one scan. Fast scanners ~10 ms, slow ones up to ~80–100 ms. */
    maxInterKeyMs: z.number().int().min(5).max(200),
    /** Shorter bursts are treated as typing. */
    minLength: z.number().int().min(3).max(64),
    terminator: z.enum(['Enter', 'Tab']),
    /** Characters some scanners send before/after the code; stripped. */
    prefix: z.string().max(8),
    suffix: z.string().max(8),
  })
  .strict();
export type WedgeSettings = z.infer<typeof wedgeSettingsSchema>;

export const settingsSchema = z
  .object({
    language: z.enum(['zh-CN', 'en']),
    kiosk: z.boolean(),
    wedge: wedgeSettingsSchema,
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const settingsContract = {
  get: method<Settings>()(empty),
  /** Partial update; writes the settings and an audit event to the outbox in one transaction. */
  update: method<Settings>()(
    z
      .object({
        language: settingsSchema.shape.language.optional(),
        kiosk: z.boolean().optional(),
        wedge: wedgeSettingsSchema.partial().strict().optional(),
      })
      .strict(),
  ),
};

export type SettingsEvents = { 'settings.changed': Settings };
