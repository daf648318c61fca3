import type { ApprovalAction, Capability, StaffView } from './contract.js';

/**
 * What a handler requires of whoever is at the terminal, declared where the handler is registered
 * (Actual Budget's `app.method(name, mutator(undoable(fn)))` is the model): the dispatcher checks
 * it before the handler runs, and refuses to register a handler that declares none. A handler
 * never checks the session itself.
 *
 * - `open`: no session needed (status, product lookup, login itself, peripherals setup).
 * - `signed_in`: someone holds the session, locked or not (lock, unlock).
 * - `session`: an active session — NOT_LOGGED_IN / SESSION_LOCKED otherwise; counts as activity.
 * - `role`: an active session whose role has the capability — FORBIDDEN otherwise.
 * - `approval`: `role`, plus a manager's single-use approval token for the action in the input's
 *   `approvalToken` unless the role approves it itself — APPROVAL_REQUIRED otherwise.
 * - `by_input`: one of the above, chosen by what the input asks for (a language switch needs
 *   nobody, switching kiosk mode off needs a manager).
 */
export type FixedGuard =
  | { kind: 'open' }
  | { kind: 'signed_in' }
  | { kind: 'session' }
  | { kind: 'role'; capability: Capability }
  | { kind: 'approval'; capability: Capability; action: ApprovalAction };

export type Guard = FixedGuard | { kind: 'by_input'; pick: (input: never) => FixedGuard };

export type GuardKind = Guard['kind'];

/** Who is calling: the transport fills this in. */
export type CallContext = { transport: 'ipc' | 'ws' | 'test'; connectionId: string };

/** What an `open` handler knows of the caller: the staff holding the session, if any (for audit; never checked). */
export type OpenCaller = { call: CallContext; present: StaffView | null };
/** What a guarded handler knows of the caller: who passed the guard, and the manager who approved (approval guards). */
export type StaffCaller = { call: CallContext; staff: StaffView; approvedBy: StaffView | null };
/** What a `by_input` handler knows: who passed the guard its input chose (null when that was `open`). */
export type PickedCaller = { call: CallContext; present: StaffView | null; staff: StaffView | null; approvedBy: StaffView | null };

type Run<I, O, C> = (input: I, caller: C) => O | Promise<O>;

/** A handler with its declared guard. */
export type GuardedHandler<I, O> =
  | { guard: { kind: 'open' }; run: Run<I, O, OpenCaller> }
  | { guard: Exclude<FixedGuard, { kind: 'open' }>; run: Run<I, O, StaffCaller> }
  | { guard: { kind: 'by_input'; pick: (input: I) => FixedGuard }; run: Run<I, O, PickedCaller> };

/** No session needed. */
export function open<I, O>(run: Run<I, O, OpenCaller>): GuardedHandler<I, O> {
  return { guard: { kind: 'open' }, run };
}

/** Someone holds the session, locked or not. */
export function signedIn<I, O>(run: Run<I, O, StaffCaller>): GuardedHandler<I, O> {
  return { guard: { kind: 'signed_in' }, run };
}

/** An active (unlocked) session. */
export function session<I, O>(run: Run<I, O, StaffCaller>): GuardedHandler<I, O> {
  return { guard: { kind: 'session' }, run };
}

/** An active session whose role has `capability`. */
export function role<I, O>(capability: Capability, run: Run<I, O, StaffCaller>): GuardedHandler<I, O> {
  return { guard: { kind: 'role', capability }, run };
}

/** `role`, plus a manager's approval of `action` (the input's `approvalToken`) where the role does not approve it itself. */
export function approval<I extends { approvalToken?: string | undefined }, O>(
  capability: Capability,
  action: ApprovalAction,
  run: Run<I, O, StaffCaller>,
): GuardedHandler<I, O> {
  return { guard: { kind: 'approval', capability, action }, run };
}

/** The guard `pick` chooses from the input: e.g. `open` for a language switch, `role('manage')` for kiosk mode. */
export function byInput<I, O>(pick: (input: I) => FixedGuard, run: Run<I, O, PickedCaller>): GuardedHandler<I, O> {
  return { guard: { kind: 'by_input', pick }, run };
}

/**
 * The staff session as the dispatcher checks guards against it (the staff service implements it).
 * Each check throws the AppError the guard names.
 */
export type SessionGate = {
  /** Whoever holds the session, locked or not; null when logged out. Not activity. */
  present(): StaffView | null;
  /** NOT_LOGGED_IN when nobody holds the session. */
  signedIn(): StaffView;
  /** NOT_LOGGED_IN / SESSION_LOCKED; counts as activity. */
  active(): StaffView;
  /** `active()`, then FORBIDDEN unless the role has the capability. */
  require(capability: Capability): StaffView;
  /** APPROVAL_REQUIRED unless the role approves `action` itself or `token` is a valid approval of it for the active staff. */
  authorize(action: ApprovalAction, token: string | undefined): { approvedBy: StaffView | null };
};

/** Checks a fixed guard: who passed it (null for `open`) and who approved. Throws the guard's AppError. */
function check(guard: FixedGuard, input: unknown, gate: SessionGate | null): { staff: StaffView | null; approvedBy: StaffView | null } {
  if (guard.kind === 'open') return { staff: null, approvedBy: null };
  if (!gate) throw new Error('a guarded handler needs the staff session');
  switch (guard.kind) {
    case 'signed_in':
      return { staff: gate.signedIn(), approvedBy: null };
    case 'session':
      return { staff: gate.active(), approvedBy: null };
    case 'role':
      return { staff: gate.require(guard.capability), approvedBy: null };
    case 'approval': {
      const staff = gate.require(guard.capability);
      const token = (input as { approvalToken?: string | undefined }).approvalToken;
      return { staff, approvedBy: gate.authorize(guard.action, token).approvedBy };
    }
  }
}

/** Runs a handler behind its guard. */
export async function runGuarded<I, O>(handler: GuardedHandler<I, O>, input: I, call: CallContext, gate: SessionGate | null): Promise<O> {
  const guard = handler.guard;
  if (guard.kind === 'open') return (handler.run as Run<I, O, OpenCaller>)(input, { call, present: gate?.present() ?? null });
  if (guard.kind === 'by_input') {
    const { staff, approvedBy } = check((guard.pick as (i: I) => FixedGuard)(input), input, gate);
    return (handler.run as Run<I, O, PickedCaller>)(input, { call, present: gate?.present() ?? null, staff, approvedBy });
  }
  const { staff, approvedBy } = check(guard, input, gate);
  return (handler.run as Run<I, O, StaffCaller>)(input, { call, staff: staff as StaffView, approvedBy });
}

/** The guard kinds a handler may declare (for registration checks and the contract walk). */
export const GUARD_KINDS: readonly GuardKind[] = ['open', 'signed_in', 'session', 'role', 'approval', 'by_input'];

/** Whether `value` is a handler that declares a known guard (a plain function, or a guard of another shape, is not). */
export function isGuardedHandler(value: unknown): value is GuardedHandler<unknown, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const { guard, run } = value as { guard?: { kind?: unknown }; run?: unknown };
  return typeof run === 'function' && typeof guard?.kind === 'string' && (GUARD_KINDS as readonly string[]).includes(guard.kind);
}
