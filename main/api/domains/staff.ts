import { z } from 'zod';
import { code, empty, method } from '../define.js';

export type StaffRole = 'cashier' | 'guide' | 'manager';

/**
 * What needs a manager's approval when the logged-in staff's role does not allow it alone:
 * a line discount above the role's limit, a price override, a return without receipt, a
 * paid-out, a no-sale drawer opening, voiding a mobile payment already taken, an X report showing
 * the expected figures (which would let the cash be "counted" to match).
 */
export const APPROVAL_ACTIONS = [
  'discount',
  'price_override',
  'no_receipt_return',
  'paid_out',
  'no_sale',
  'void_tender',
  'x_report',
  'cash_refund',
] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

/** What each role may do at the till; enforced in main, mirrored here so the UI can hide what is refused anyway. */
export type StaffPermissions = {
  /** Build carts, identify members, apply coupons, park. */
  sell: boolean;
  /** Take payment and complete a sale. */
  tender: boolean;
  /** Returns and exchanges against a receipt. */
  returns: boolean;
  /** Open the till (the business day), paid-in, X and Z reports. */
  cash: boolean;
  /** Change the terminal's setup: the peripheral profile, kiosk mode, the scanner thresholds. */
  manage: boolean;
  /** Hold customers: bind one to themselves (scan, guide QR). Only guides and managers hold customers. */
  bind: boolean;
  /** Largest line discount this role may give without approval, in percent (0–100). */
  maxDiscountPercent: number;
  /** Actions this role may do without a manager's approval token. */
  approves: ApprovalAction[];
};

/** What a role may do at the till (the booleans of StaffPermissions); handlers declare the one they need. */
export type Capability = 'sell' | 'tender' | 'returns' | 'cash' | 'manage' | 'bind';

export type StaffView = { id: string; code: string; name: string; role: StaffRole };

/**
 * The till's one session (one cashier at a time on a shared device). `locked`: the screen is
 * locked (idle or on purpose) and only the same staff's PIN — or another login — opens it.
 */
export type SessionState =
  | { state: 'logged_out' }
  | {
      state: 'active' | 'locked';
      staff: StaffView;
      permissions: StaffPermissions;
      loggedInAt: string;
      /** Last call this staff made; the UI locks the screen after its idle time. */
      lastActivityAt: string;
    };

/** A manager's single-use approval for one action, valid for two minutes. */
export type Approval = {
  token: string;
  action: ApprovalAction;
  manager: StaffView;
  expiresAt: string;
};

const pin = z.string().regex(/^\d{4,8}$/, 'PIN is 4–8 digits');

export const staffContract = {
  /** PIN login on the shared device. WRONG_PIN (message says attempts left), STAFF_LOCKED after 5 wrong PINs (15 minutes, survives restart). */
  login: method<SessionState>()(z.object({ code, pin }).strict()),
  /** Ends the session; the cart stays for the next login (park it to keep it apart). */
  logout: method<SessionState>()(empty),
  /** The current session, never fails. */
  session: method<SessionState>()(empty),
  /** Locks the screen (the UI calls this after its idle time). */
  lock: method<SessionState>()(empty),
  /** Unlocks with the locked staff's own PIN (wrong PINs count towards the lockout). */
  unlock: method<SessionState>()(z.object({ pin }).strict()),
  /** A manager's PIN approves one action without logging the cashier out. FORBIDDEN when the code is not a manager's. */
  approve: method<Approval>()(z.object({ managerCode: code, pin, action: z.enum(APPROVAL_ACTIONS) }).strict()),
};

export type StaffEvents = { 'staff.session': SessionState };
