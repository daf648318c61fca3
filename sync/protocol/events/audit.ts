import { z } from 'zod';
import { count, fen, id, iso } from './fields.js';

/**
 * Audit events: who did what at the terminal. HQ records them (they change no HQ state), so a
 * newer device's new subtype of `staff.` or `device.` is recorded too rather than refused.
 */

const staffOnly = z.object({ staffId: id });
const lockout = z.object({ staffId: id, attempts: count, lockedUntil: iso.nullable() });

export const staffEventSchemas = {
  'staff.logged_in': staffOnly,
  /** A manager's PIN checked for an approval (no login). */
  'staff.pin_verified': staffOnly,
  'staff.logged_out': z.object({}),
  /** A wrong PIN for a known staff member, or a login with a code the store does not know. */
  'staff.login_failed': z.union([lockout, z.object({ code: z.string().max(64), reason: z.literal('unknown_staff') })]),
  'staff.locked_out': lockout,
  'staff.approval_given': z.object({ action: z.string().min(1).max(64), forStaffId: id }),
  /**
   * HQ deactivated (offboarded) or moved the staff member holding the session (`deactivated`), or
   * gave them another role (`role_changed`): it ended at the next sync.
   */
  'staff.session_ended': z.object({ staffId: id, reason: z.enum(['deactivated', 'role_changed']) }),
} as const;

const jobChange = z.object({ jobId: id, was: z.string().max(32), heldReason: z.string().max(32).nullable() });

export const deviceEventSchemas = {
  'device.settings_changed': z.object({ changed: z.array(z.string().max(64)).max(64), settings: z.record(z.string(), z.unknown()) }),
  'device.profile_changed': z.object({ profile: z.record(z.string(), z.unknown()) }),
  'device.drawer_opened': z.object({
    reason: z.string().max(32),
    note: z.string().max(500).nullable(),
    via: z.string().max(32),
    at: iso,
    /** The manager who approved it (a no-sale by a cashier); absent when the role allowed it. */
    approvedBy: id.nullable().optional(),
  }),
  'device.print_job_retried': jobChange,
  'device.print_job_cancelled': jobChange,
  'device.receipt_reprinted': z.object({ jobId: id, receiptNo: z.string().max(64).nullable(), kind: z.string().max(32) }),
  /** A mobile charge no sale records (its answer never came, or its cart was lost in a restart), reversed at the gateway. */
  'device.payment_reversed': z.object({
    requestId: z.string().min(1).max(128),
    method: z.string().max(32),
    amountFen: fen,
    providerRef: z.string().max(200).nullable(),
    /** The gateway had said yes (otherwise its answer never came). */
    wasPaid: z.boolean(),
    why: z.string().max(200),
    takenAt: iso,
  }),
} as const;

/** Audit families HQ records whatever their subtype: a newer device's new audit must not dead-letter on an older HQ. */
export const AUDIT_FAMILIES = ['staff.', 'device.'] as const;
/** The payload of an audit subtype this version does not know yet: any JSON object. */
export const anyAuditPayload = z.record(z.string(), z.unknown());
