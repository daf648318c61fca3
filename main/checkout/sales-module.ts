import { session } from '../api/guards.js';
import type { DomainModule } from '../core/context.js';
import type { SalesService } from './sales-service.js';

/** The sales history: any staff logged in may look sales up and reprint a receipt. */
export function salesModule(sales: SalesService): DomainModule<'sales'> {
  return {
    handlers: {
      today: session(() => sales.today()),
      find: session(({ receiptNo }) => sales.find(receiptNo)),
      byMember: session(({ memberId }) => sales.byMember(memberId)),
      reprint: session(({ receiptNo }) => sales.reprint(receiptNo)),
    },
  };
}
