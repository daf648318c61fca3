import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Approval, ApprovalAction, Capability, SessionState, StaffRole, StaffView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { SessionGate } from '../api/guards.js';
import type { TerminalContext } from '../core/context.js';
import { writeChange } from '../store/outbox.js';
import type { EventPayload, EventType } from '../../sync/protocol/events/index.js';
import { verifyPin } from '../../sync/protocol/pin-credential.js';
import { requireCapability, ROLE_PERMISSIONS } from './permissions.js';

export const LOCKOUT = { maxAttempts: 5, lockMs: 15 * 60_000 } as const;
export const APPROVAL_TTL_MS = 2 * 60_000;

type StaffRow = {
  id: string;
  code: string;
  name: string;
  role: StaffRole;
  pin_salt: string | null;
  pin_hash: string | null;
  failed_attempts: number | null;
  locked_until: string | null;
};

type Session = { staff: StaffView; state: 'active' | 'locked'; loggedInAt: string; lastActivityAt: string };

/** A manager's approval checked where the need depends on the input (a discount above the role's limit, voiding a mobile payment). */
export type Approvals = Pick<StaffService, 'authorize'>;

/**
 * Staff login on the shared terminal: one session at a time, PINs checked against scrypt hashes,
 * five wrong PINs lock that staff for 15 minutes (stored, so a restart does not reset it), and a
 * manager's PIN approves one action for the cashier without ending the cashier's session. It is
 * the session the dispatcher checks every handler's guard against.
 */
export class StaffService implements SessionGate {
  private session: Session | null = null;
  /** Single-use manager approvals, each for one action by the cashier who asked for it. */
  private readonly approvals = new Map<string, { action: ApprovalAction; manager: StaffView; forStaffId: string; expiresAt: number }>();
  private readonly byCode: Statement<[string, string], StaffRow>;
  private readonly stillHere: Statement<[string, string], { role: StaffRole }>;

  constructor(private readonly ctx: Pick<TerminalContext, 'db' | 'outbox' | 'clock' | 'storeId' | 'events' | 'announceSync'>) {
    this.byCode = ctx.db.prepare(`
      SELECT s.id, s.code, s.name, s.role, c.pin_salt, c.pin_hash, c.failed_attempts, c.locked_until
      FROM staff s LEFT JOIN staff_credential c ON c.staff_id = s.id
      WHERE s.code = ? COLLATE NOCASE AND s.active = 1 AND s.store_id = ?`);
    this.stillHere = ctx.db.prepare('SELECT role FROM staff WHERE id = ? AND active = 1 AND store_id = ?');
    // The staff rows arrive through the feed: after every sync round, a session of someone HQ
    // offboarded, moved or gave another role since ends, before anyone touches the terminal again.
    ctx.events.subscribe((frame) => {
      if (frame.name === 'sync.state') this.endIfGone();
    });
  }

  /**
   * Ends the session of a staff member who is no longer an active staff member of this store
   * (HQ offboarded them), or whose role HQ changed: the session's role is what every guard checks,
   * so a manager HQ demoted would otherwise keep the store's book until they log out. Checked after
   * every sync and on every guard check, so such a session never outlives the device learning of
   * it. True when it ended one.
   */
  endIfGone(): boolean {
    const s = this.session;
    if (!s) return false;
    const now = this.stillHere.get(s.staff.id, this.ctx.storeId);
    if (now?.role === s.staff.role) return false;
    this.session = null;
    this.approvals.clear();
    this.audit('staff.session_ended', s.staff.id, { staffId: s.staff.id, reason: now ? 'role_changed' : 'deactivated' });
    this.announce();
    return true;
  }

  state(): SessionState {
    this.endIfGone();
    const s = this.session;
    if (!s) return { state: 'logged_out' };
    return {
      state: s.state,
      staff: s.staff,
      permissions: ROLE_PERMISSIONS[s.staff.role],
      loggedInAt: s.loggedInAt,
      lastActivityAt: s.lastActivityAt,
    };
  }

  login(code: string, pin: string): SessionState {
    const staff = this.checkPin(code, pin);
    const now = this.ctx.clock().toISOString();
    this.session = { staff, state: 'active', loggedInAt: now, lastActivityAt: now };
    return this.announce();
  }

  logout(): SessionState {
    if (this.session) this.audit('staff.logged_out', this.session.staff.id, {});
    this.session = null;
    // An approval given to this cashier must not carry over to whoever logs in next.
    this.approvals.clear();
    return this.announce();
  }

  lock(): SessionState {
    if (!this.session) throw new AppError('NOT_LOGGED_IN', 'Nobody is logged in');
    this.session.state = 'locked';
    return this.announce();
  }

  unlock(pin: string): SessionState {
    const s = this.session;
    if (!s) throw new AppError('NOT_LOGGED_IN', 'Nobody is logged in');
    this.checkPin(s.staff.code, pin);
    s.state = 'active';
    s.lastActivityAt = this.ctx.clock().toISOString();
    return this.announce();
  }

  approve(cashier: StaffView, managerCode: string, pin: string, action: ApprovalAction): Approval {
    const manager = this.checkPin(managerCode, pin, false);
    if (!ROLE_PERMISSIONS[manager.role].approves.includes(action))
      throw new AppError('FORBIDDEN', `${manager.code} may not approve ${action}`);
    const token = randomBytes(16).toString('hex');
    const expiresAt = this.ctx.clock().getTime() + APPROVAL_TTL_MS;
    this.approvals.set(token, { action, manager, forStaffId: cashier.id, expiresAt });
    this.audit('staff.approval_given', manager.id, { action, forStaffId: cashier.id });
    return { token, action, manager, expiresAt: new Date(expiresAt).toISOString() };
  }

  present(): StaffView | null {
    this.endIfGone();
    return this.session?.staff ?? null;
  }

  /** Whoever holds the session, locked or not; NOT_LOGGED_IN otherwise. */
  signedIn(): StaffView {
    this.endIfGone();
    if (!this.session) throw new AppError('NOT_LOGGED_IN', 'Nobody is logged in');
    return this.session.staff;
  }

  /** The active session's staff; NOT_LOGGED_IN / SESSION_LOCKED otherwise. Counts as activity. */
  active(): StaffView {
    this.endIfGone();
    const s = this.session;
    if (!s) throw new AppError('NOT_LOGGED_IN', 'Log in first');
    if (s.state === 'locked') throw new AppError('SESSION_LOCKED', 'The screen is locked');
    s.lastActivityAt = this.ctx.clock().toISOString();
    return s.staff;
  }

  /** The active staff if the role has the capability; FORBIDDEN otherwise. */
  require(capability: Capability): StaffView {
    return requireCapability(this.active(), capability);
  }

  /**
   * Whether the active staff may do `action`: yes by role, or with a manager's approval token for
   * that action (single use, unexpired). Returns who approved (null: the staff's own role).
   * `allowedByRole` lets a caller widen the role check (e.g. a discount within the cashier's limit).
   */
  authorize(action: ApprovalAction, token: string | undefined, allowedByRole = false): { approvedBy: StaffView | null } {
    const staff = this.active();
    if (allowedByRole || ROLE_PERMISSIONS[staff.role].approves.includes(action)) return { approvedBy: null };
    if (!token) throw new AppError('APPROVAL_REQUIRED', `A manager must approve this (${action})`);
    const approval = this.approvals.get(token);
    if (!approval || approval.action !== action || approval.forStaffId !== staff.id || approval.expiresAt < this.ctx.clock().getTime()) {
      throw new AppError(
        'APPROVAL_REQUIRED',
        `The manager approval is not valid for ${action} (wrong action, another cashier's, used or expired)`,
      );
    }
    this.approvals.delete(token);
    // The approval is the manager's: once the feed says HQ offboarded, moved or demoted them, it goes with them
    // (HQ refuses a movement approved by someone who was no manager of the store when it happened).
    const now = this.stillHere.get(approval.manager.id, this.ctx.storeId);
    if (!now || !ROLE_PERMISSIONS[now.role].approves.includes(action)) {
      throw new AppError('APPROVAL_REQUIRED', `${approval.manager.code} may no longer approve ${action}: ask a manager again`);
    }
    return { approvedBy: approval.manager };
  }

  /** Checks a PIN with the lockout rules; every failure and lock is written (audit + persistent counter). */
  private checkPin(code: string, pin: string, countsAsLogin = true): StaffView {
    const row = this.byCode.get(code, this.ctx.storeId);
    const now = this.ctx.clock();
    if (!row || !row.pin_hash || !row.pin_salt) {
      this.audit('staff.login_failed', null, { code, reason: 'unknown_staff' });
      throw new AppError('WRONG_PIN', 'Wrong staff code or PIN');
    }
    if (row.locked_until && Date.parse(row.locked_until) > now.getTime()) {
      const minutes = Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 60_000);
      throw new AppError('STAFF_LOCKED', `Too many wrong PINs: ${row.code} is locked for ${minutes} more minute(s)`);
    }
    const staff: StaffView = { id: row.id, code: row.code, name: row.name, role: row.role };
    if (!verifyPin(pin, row.pin_salt, row.pin_hash)) {
      const attempts = (row.failed_attempts ?? 0) + 1;
      const locks = attempts >= LOCKOUT.maxAttempts;
      const lockedUntil = locks ? new Date(now.getTime() + LOCKOUT.lockMs).toISOString() : null;
      writeChange(
        this.ctx.outbox,
        { type: locks ? 'staff.locked_out' : 'staff.login_failed', payload: { staffId: row.id, attempts, lockedUntil }, staffId: row.id },
        (db) =>
          db
            .prepare('UPDATE staff_credential SET failed_attempts = ?, locked_until = ? WHERE staff_id = ?')
            .run(locks ? 0 : attempts, lockedUntil, row.id),
      );
      this.ctx.announceSync();
      if (locks) throw new AppError('STAFF_LOCKED', `Too many wrong PINs: ${row.code} is locked for ${LOCKOUT.lockMs / 60_000} minutes`);
      throw new AppError('WRONG_PIN', `Wrong staff code or PIN (${LOCKOUT.maxAttempts - attempts} attempt(s) left)`);
    }
    writeChange(
      this.ctx.outbox,
      { type: countsAsLogin ? 'staff.logged_in' : 'staff.pin_verified', payload: { staffId: row.id }, staffId: row.id },
      (db) => db.prepare('UPDATE staff_credential SET failed_attempts = 0, locked_until = NULL WHERE staff_id = ?').run(row.id),
    );
    this.ctx.announceSync();
    return staff;
  }

  private audit<T extends EventType>(type: T, staffId: string | null, payload: EventPayload<T>): void {
    writeChange(this.ctx.outbox, { type, payload, staffId }, () => undefined);
    this.ctx.announceSync();
  }

  private announce(): SessionState {
    const state = this.state();
    this.ctx.events.emit('staff.session', state);
    return state;
  }
}
