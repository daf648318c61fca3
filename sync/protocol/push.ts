import { z } from 'zod';
import { outboxEventSchema } from './events/envelope.js';

/**
 * Push: a batch of outbox events, oldest first. HQ answers per event; the device removes an
 * event only after its answer, and moves a rejected one to its dead-letter list.
 */
export const MAX_PUSH_EVENTS = 1000;
/** Bytes of a push body HQ reads at most; a bigger batch is refused whole (413) before parsing. */
export const MAX_PUSH_BYTES = 8 * 1024 * 1024;

export const pushRequestSchema = z
  .object({
    /** Must be the signing device and its store: a device pushes only its own events. */
    deviceId: z.string().min(1).max(64),
    storeId: z.string().min(1).max(64),
    events: z.array(outboxEventSchema).min(1).max(MAX_PUSH_EVENTS),
  })
  .strict();
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const PUSH_REJECT_REASONS = [
  /** The event names another store or device than the one that signed the push. */
  'foreign_store',
  /** The staff member is not of this store (or unknown to HQ). */
  'foreign_staff',
  /** An event type HQ does not record at all (not one of its families): newer types are deferred instead. */
  'unknown_type',
  /** The payload does not match the event type's schema, or does not add up (lines to totals, tenders to the net). */
  'bad_payload',
  /** The same receipt number was already recorded for another sale. */
  'conflict',
] as const;
export type PushRejectReason = (typeof PUSH_REJECT_REASONS)[number];

export const pushResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('accepted') }).strict(),
  /** HQ already had it: as good as accepted (the answer to an earlier push was lost). */
  z.object({ id: z.string(), status: z.literal('duplicate') }).strict(),
  /**
   * HQ keeps the event but does not know its type yet (the device is newer than HQ during a
   * rolling upgrade): it is recorded, and applied when HQ is upgraded. As good as accepted for the
   * device, which removes it from its outbox.
   */
  z.object({ id: z.string(), status: z.literal('deferred'), message: z.string().max(500) }).strict(),
  /** `reason` is one of PUSH_REJECT_REASONS; read as text so a newer HQ's new reason is not an unreadable answer. */
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string().min(1).max(64), message: z.string().max(500) }).strict(),
]);
export type PushResult = z.infer<typeof pushResultSchema>;

export const pushResponseSchema = z.object({ results: z.array(pushResultSchema), serverTime: z.iso.datetime() }).strict();
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** The device reports what it put on its dead-letter list, so IT sees it at HQ too. */
export const deadLetterReportSchema = z
  .object({
    items: z
      .array(
        z
          .object({
            id: z.string().max(64),
            type: z.string().max(64),
            reason: z.string().max(64),
            message: z.string().max(500),
            occurredAt: z.iso.datetime(),
            rejectedAt: z.iso.datetime(),
            /** The event as the device keeps it, so IT can re-apply it at HQ once HQ is fixed. Older devices do not send it. */
            event: outboxEventSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(500),
  })
  .strict();
export type DeadLetterReport = z.infer<typeof deadLetterReportSchema>;

/**
 * HQ's answer to a report: how many it recorded, and which of the reported events IT has since
 * re-applied and HQ now holds (the device takes those off its list). Older HQs send neither.
 */
export const deadLetterAnswerSchema = z.looseObject({
  recorded: z.number().int().min(0).optional(),
  resolved: z.array(z.string().max(64)).max(500).optional(),
});
export type DeadLetterAnswer = z.infer<typeof deadLetterAnswerSchema>;
