import { open, session, signedIn } from '../api/guards.js';
import type { DomainModule } from '../core/context.js';
import type { StaffService } from './staff-service.js';

/** Login, lock and manager approvals. Logging in needs no session; locking needs someone to hold one. */
export function staffModule(staff: StaffService): DomainModule<'staff'> {
  return {
    handlers: {
      login: open(({ code, pin }) => staff.login(code, pin)),
      logout: open(() => staff.logout()),
      session: open(() => staff.state()),
      lock: signedIn(() => staff.lock()),
      unlock: signedIn(({ pin }) => staff.unlock(pin)),
      approve: session(({ managerCode, pin, action }, { staff: cashier }) => staff.approve(cashier, managerCode, pin, action)),
    },
  };
}
