import type { Capability, StaffPermissions, StaffRole, StaffView } from '../api/contract.js';
import { APPROVAL_ACTIONS } from '../api/contract.js';
import { AppError } from '../api/errors.js';

/**
 * What each role may do at the till. Enforced in main (checkout, returns, cash-up ask here), and
 * sent to the UI with the session so it can hide what would be refused anyway.
 * Guides build carts for their customers (and park them for a cashier) but take no money.
 */
export const ROLE_PERMISSIONS: Readonly<Record<StaffRole, StaffPermissions>> = {
  // A cashier signs members up at the till (into the store pool) but holds no customers.
  cashier: { sell: true, tender: true, returns: true, cash: true, manage: false, bind: false, maxDiscountPercent: 10, approves: [] },
  guide: { sell: true, tender: false, returns: false, cash: false, manage: false, bind: true, maxDiscountPercent: 0, approves: [] },
  manager: {
    sell: true,
    tender: true,
    returns: true,
    cash: true,
    manage: true,
    bind: true,
    maxDiscountPercent: 100,
    // A manager approves every action that needs one.
    approves: [...APPROVAL_ACTIONS],
  },
};

/** FORBIDDEN unless the staff member's role has the capability (the role guard, and checks that depend on what is in the cart). */
export function requireCapability(staff: StaffView, capability: Capability): StaffView {
  if (!ROLE_PERMISSIONS[staff.role][capability]) throw new AppError('FORBIDDEN', `A ${staff.role} may not do this (${capability})`);
  return staff;
}
