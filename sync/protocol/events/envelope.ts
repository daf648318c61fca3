import { z } from 'zod';

/**
 * One local change as it leaves the device: written to the outbox in the same transaction as
 * its effect, pushed to HQ, applied there exactly once (by `id`). Shared by device and HQ.
 */
export const outboxEventSchema = z
  .object({
    /** UUIDv7 made on the device; HQ's idempotency key. */
    id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    /** `<domain>.<what happened>`, e.g. `device.settings_changed`, `sale.completed`. */
    type: z
      .string()
      .regex(/^[a-z]+(\.[a-z_]+)+$/)
      .max(64),
    payload: z.unknown(),
    staffId: z.string().max(64).nullable(),
    deviceId: z.string().max(64),
    storeId: z.string().max(64),
    /** The device's clock when it happened: recorded, never trusted for ordering. */
    occurredAt: z.iso.datetime(),
  })
  .strict();

export type OutboxEvent = z.infer<typeof outboxEventSchema>;

/** An outbox event as the device stores it: the payload kept as the JSON text it was written as, so a push sends it unparsed. */
export type StoredEvent = Omit<OutboxEvent, 'payload'> & { payloadJson: string };
