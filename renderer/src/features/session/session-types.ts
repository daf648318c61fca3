/**
 * The staff session's types, named for the renderer. Derived through the contract door
 * (api/contract.ts), so the renderer sees main only through its calls' Input/Output and events.
 */
import type { Events, Input, Output } from '../../api/contract.js';

export type SessionState = Events['staff.session'];
export type ActiveSession = Exclude<SessionState, { state: 'logged_out' }>;
export type StaffView = ActiveSession['staff'];
export type StaffRole = StaffView['role'];
export type ApprovalAction = Input<'staff', 'approve'>['action'];
export type Approval = Output<'staff', 'approve'>;
