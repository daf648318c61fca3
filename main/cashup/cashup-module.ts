import { approval, byInput, role, session } from '../api/guards.js';
import type { DomainModule } from '../core/context.js';
import type { CashupService } from './cashup-service.js';

/** The till's business day: any staff may see its state; cash staff open it, move cash and report; some moves need a manager. */
export function cashupModule(cashup: CashupService): DomainModule<'cashup'> {
  return {
    handlers: {
      state: session(() => cashup.state()),
      open: role('cash', ({ floatFen }, { staff }) => cashup.open(staff, floatFen)),
      paidIn: role('cash', ({ amountFen, reason }, { staff }) => cashup.paidIn(staff, amountFen, reason)),
      paidOut: approval('cash', 'paid_out', (input, { staff, approvedBy }) => cashup.paidOut(staff, approvedBy, input)),
      noSale: approval('cash', 'no_sale', ({ reason }, { staff, approvedBy }) => cashup.noSale(staff, approvedBy, reason)),
      // A blind X report is the count's own; the expected figures need a manager, or the count could be made to match them.
      xReport: byInput(
        ({ blind }) => (blind ? { kind: 'role', capability: 'cash' } : { kind: 'approval', capability: 'cash', action: 'x_report' }),
        ({ blind, print }) => cashup.xReport(blind, print),
      ),
      zReport: role('cash', (input, { staff }) => cashup.zReport(staff, input)),
    },
  };
}
