import { z } from 'zod';

/**
 * Holds: an online till reserves a cart's coupons and points at HQ before tendering, so a second
 * till of the chain is refused at once, with where the coupon went. A hold lasts HOLD_TTL_MS; the
 * sale's settlement consumes it, a release (or time) frees it. Each request replaces the cart's
 * holds: the till sends what the cart redeems now.
 */
export const HOLD_TTL_MS = 5 * 60_000;

export const holdRequestSchema = z
  .object({
    /** The till's cart (its id): holds are the device's per cart. */
    cartId: z.string().min(1).max(64),
    customerId: z.string().min(1).max(64).nullable(),
    coupons: z.array(z.string().min(1).max(64)).max(20),
    points: z.number().int().min(0).max(1_000_000_000),
    /** Drop the cart's holds (cart cleared, coupons removed) instead of holding. */
    release: z.boolean().optional(),
  })
  .strict();
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export const HOLD_REFUSALS = ['used', 'held', 'unknown', 'expired', 'not_member', 'points_short'] as const;
export type HoldRefusal = (typeof HOLD_REFUSALS)[number];

export const holdAnswerSchema = z
  .object({
    /** Everything asked for is held (all or nothing: a refused cart holds nothing). */
    held: z.boolean(),
    expiresAt: z.iso.datetime().nullable(),
    refused: z.array(
      z
        .object({
          /** The coupon; null for the points. */
          code: z.string().nullable(),
          /** Text, so a newer HQ's new reason is still readable (one of HOLD_REFUSALS). */
          reason: z.string().min(1).max(32),
          /** For the cashier: where the coupon went, what the balance is. */
          detail: z.string().max(300),
        })
        .strict(),
    ),
    /** HQ's balance for the member less other tills' holds (null without a member). */
    pointsAvailable: z.number().int().nullable(),
    serverTime: z.iso.datetime(),
  })
  .strict();
export type HoldAnswer = z.infer<typeof holdAnswerSchema>;
