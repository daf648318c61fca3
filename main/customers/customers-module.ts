import type { FixedGuard } from '../api/guards.js';
import { byInput, open, role, session } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { MemberDirectory } from '../checkout/members.js';
import { PromotionBook } from '../checkout/promotions.js';
import { CustomerAccess } from './customer-access.js';
import { CustomerBook } from './customer-book.js';
import { CustomerDirectory } from './customer-directory.js';
import { CustomerRequests } from './customer-requests.js';
import { CustomerTasks } from './customer-tasks.js';
import { keepStatistics } from './customer-statistics.js';
import { CustomerViews } from './customer-views.js';
import { GuideResults } from './guide-results.js';
import { RevealLimit } from './reveal-limit.js';
import { PhoneLookupLimit } from '../core/phone-lookup-limit.js';

/** The customer book's services over one terminal context. */
export function createCustomers(ctx: TerminalContext) {
  const access = new CustomerAccess(ctx.db, ctx.storeId);
  const views = new CustomerViews(ctx.db, access, ctx.clock);
  const directory = new CustomerDirectory(
    access,
    views,
    new MemberDirectory(ctx.db, new PromotionBook(ctx.db)),
    ctx.clock,
    new PhoneLookupLimit(ctx.db),
  );
  const book = new CustomerBook(ctx, access, views, new RevealLimit(ctx.db));
  const requests = new CustomerRequests(ctx, access, views);
  const tasks = new CustomerTasks(ctx, access, views, book);
  const results = new GuideResults(access, views, ctx.store, ctx.clock);
  keepStatistics(ctx);
  return { access, directory, book, requests, tasks, results };
}

export type Customers = ReturnType<typeof createCustomers>;

/** The store's book and pool are a manager's; a guide's own customers need only a session. */
const MANAGER: FixedGuard = { kind: 'role', capability: 'manage' };
const SESSION: FixedGuard = { kind: 'session' };

/**
 * The customer book's handlers. Every customer read and write needs an active session, and goes
 * through CustomerAccess (this store only, a guide's own customers, a manager's store); the
 * store-wide lists and reassignment need a manager; binding a customer to oneself needs a role
 * that holds customers (guide, manager). A cashier's new member goes to the store pool. `privacy` is open: it only tells the window
 * whether a customer screen is showing.
 */
export function customersModule(ctx: TerminalContext, c: Customers): DomainModule<'customers'> {
  return {
    handlers: {
      list: byInput(
        (input) => (input.scope === 'mine' ? SESSION : MANAGER),
        (input, { staff }) => c.directory.list(staff!, input),
      ),
      profile: session(({ customerId }, { staff }) => c.directory.profile(staff, customerId)),
      revealPhone: session(({ customerId, reason, purpose }, { staff }) => c.book.revealPhone(staff, customerId, reason, purpose)),
      addNote: session(({ customerId, body }, { staff }) => c.book.addNote(staff, customerId, body)),
      addTag: session(({ customerId, tag }, { staff }) => c.book.addTag(staff, customerId, tag)),
      removeTag: session(({ customerId, tag }, { staff }) => c.book.removeTag(staff, customerId, tag)),
      logContact: session(({ customerId, ...contact }, { staff }) => c.book.logContact(staff, customerId, contact)),
      setConsent: session(({ customerId, consent }, { staff }) => c.book.setConsent(staff, customerId, consent)),
      bind: role('bind', ({ memberCode }, { staff }) => c.requests.bind(staff, memberCode)),
      newMember: session((input, { staff }) => c.requests.newMember(staff, input)),
      assign: role('manage', ({ customerId, guideId }, { staff }) => c.requests.assign(staff, customerId, guideId)),
      requests: session((_input, { staff }) => ({ items: c.requests.mine(staff) })),
      guides: session(() => ({ items: c.results.guides() })),
      tags: session(() => ({ items: c.results.tags() })),
      tasks: session((input, { staff }) => c.tasks.list(staff, input)),
      completeTask: session(({ taskId, ...contact }, { staff }) => c.tasks.complete(staff, taskId, contact)),
      snoozeTask: session(({ taskId, days }, { staff }) => c.tasks.snooze(staff, taskId, days)),
      results: session((_input, { staff }) => c.results.results(staff)),
      // The QR binds whoever scans it to this staff member: only someone who holds customers has one.
      guideQr: role('bind', (_input, { staff }) => c.results.guideQr(staff)),
      privacy: open(({ protect }) => {
        ctx.events.emit('customers.privacy', { protect });
        return { protect };
      }),
    },
  };
}
