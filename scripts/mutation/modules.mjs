// The modules `npm run mutation` mutates, one Stryker run each, with the unit tests that cover
// them (only those run: the vitest runner gets a config whose unit project includes just these
// files). `late`: slow (HQ on PGlite per mutant, or a big test file); run only when named (or with --all), after the rest.

/** @typedef {{ name: string, mutate: string[], tests: string[], late?: boolean }} MutationModule */

/** @type {MutationModule[]} */
export const MODULES = [
  {
    name: 'money',
    mutate: ['main/checkout/money.ts'],
    tests: ['main/checkout/money.test.ts'],
  },
  {
    name: 'pricing',
    mutate: ['main/checkout/pricing.ts'],
    // The engine is pure and its own tests are fast; checkout.test.ts reaches it too but makes the run ~4× slower.
    tests: ['main/checkout/pricing.test.ts'],
  },
  {
    name: 'cart',
    mutate: ['main/checkout/cart.ts'],
    tests: [
      'main/checkout/cart.test.ts',
      'main/checkout/checkout.test.ts',
      'main/returns/refund-money.test.ts',
      'main/checkout/pricing.test.ts',
    ],
  },
  {
    name: 'refunds',
    mutate: ['sync/protocol/refund-sources.ts', 'main/returns/returns-service.ts'],
    tests: [
      'sync/protocol/refund-sources.test.ts',
      'main/returns/returns-service.test.ts',
      'main/returns/refund-money.test.ts',
      'main/checkout/checkout.test.ts',
    ],
  },
  {
    name: 'outbox',
    mutate: ['main/store/outbox.ts'],
    // own-changes.test.ts: the guide's own changes kept after HQ accepted them (ownChanges, heard, the awaiting list).
    tests: [
      'main/store/outbox.test.ts',
      'main/store/outbox-mutants.test.ts',
      'sync/client/push.test.ts',
      'sync/client/own-changes.test.ts',
    ],
  },
  {
    name: 'sale-commit',
    mutate: ['main/checkout/sale-commit.ts'],
    // shared-day.test.ts: the commit refused once another till's Z report closed the day.
    tests: [
      'main/checkout/sale-commit.test.ts',
      'main/checkout/checkout.test.ts',
      'main/returns/refund-money.test.ts',
      'main/cashup/shared-day.test.ts',
      // two-tills.test.ts: a payment another till's sale recorded is a CONFLICT; payment-recovery.test.ts: a reversed charge.
      'main/returns/two-tills.test.ts',
      'main/checkout/payment-recovery.test.ts',
    ],
  },
  {
    name: 'push',
    mutate: ['sync/client/push.ts'],
    // The device's push loop against a stand-in HQ that records what it is sent (order, batches, settles), and the
    // dead-letter recheck against a real HQ.
    tests: ['sync/client/push.test.ts', 'sync/client/dead-letter-recheck.test.ts'],
  },
  {
    name: 'current-cart',
    mutate: ['main/checkout/current-cart.ts'],
    // current-cart.test.ts drives the cart with its collaborators stood in for (milliseconds a mutant); the
    // checkout and refund tests reach it only through the services and left 21 of 80 mutants alive (73.8 %).
    tests: ['main/checkout/current-cart.test.ts'],
  },
  {
    name: 'settle',
    mutate: ['sync/hq/projector/settle-redemptions.ts'],
    // Its own tests push and project members' sales with coupons and points. Every test file here
    // starts a PGlite per mutant (seconds); the push and projector tests sell to no member, and
    // sync/faults/redemptions.test.ts (two tills through HTTP) takes far longer for the same paths.
    tests: ['sync/hq/projector/settle-redemptions.test.ts', 'sync/hq/projector/projected-together.test.ts'],
    late: true,
  },
  {
    name: 'finance-routes',
    mutate: ['sync/hq/admin/settlement-routes.ts'],
    // Finance's admin routes: conflicts and store policy through HTTP, and the refund exceptions
    // from a till's card sale refunded in cash (the fault test drives a real till through HQ).
    tests: ['sync/hq/admin/settlement-routes.test.ts', 'sync/faults/refund-money.test.ts'],
    late: true,
  },
  {
    name: 'hq-refunds',
    mutate: ['sync/hq/projector/check-refunds.ts'],
    // HQ's refund check against the sale's money: its own tests push and project returns paid
    // back every way (the rule itself is the refunds module's, on the till).
    tests: ['sync/hq/projector/check-refunds.test.ts'],
    late: true,
  },
  {
    name: 'hq-push',
    mutate: ['sync/hq/push/check-events.ts', 'sync/hq/push/check-facts.ts', 'sync/hq/push/record-batch.ts'],
    tests: ['sync/hq/push/apply-push.test.ts', 'sync/hq/push/apply-push-facts.test.ts'],
    late: true,
  },
  {
    // The push's transaction around those three (device check, idempotence, answers): a module of its
    // own, so that a change to one side does not re-run the other's mutants.
    name: 'hq-push-apply',
    mutate: ['sync/hq/push/apply-push.ts'],
    tests: ['sync/hq/push/apply-push.test.ts', 'sync/hq/push/apply-push-facts.test.ts'],
    late: true,
  },
  {
    name: 'projector',
    mutate: ['sync/hq/projector/effects.ts', 'sync/hq/projector/project-batch.ts', 'sync/hq/projector/project-effects.ts'],
    // The push and settle tests project too, but project-batch.test.ts checks every column the
    // projector writes, batches of several devices and events, and the customer book's and settling's
    // share of a batch; each more file costs a PGlite start per mutant.
    tests: ['sync/hq/projector/project-batch.test.ts', 'sync/hq/projector/projected-together.test.ts'],
    late: true,
  },
  {
    name: 'feed',
    mutate: ['sync/hq/feed.ts'],
    // feed.test.ts reads pages of change rows on PGlite (18 min for the module here). The replicator's tests reach
    // feed.ts only through HQ and a device: with them a run was on course for ~50 min. routes/pull.test.ts reads the
    // same pages through the route on both backends; left out to keep the run short.
    tests: ['sync/hq/feed.test.ts', 'sync/hq/feed-plans.test.ts'],
    late: true,
  },
  {
    name: 'feed-heads',
    mutate: ['sync/hq/feed-heads.ts'],
    // feed-heads.test.ts's PGlite tests pull through the route over a real change listener; its tests with other
    // writers (another HQ process, a late commit, a lost listener) need PostgreSQL and do not run under mutation, so
    // feed-heads-unit.test.ts drives the same cases by hand (notices, barriers and pages, no database).
    tests: ['sync/hq/feed-heads-unit.test.ts', 'sync/hq/feed-heads.test.ts'],
    late: true,
  },
  {
    name: 'customer-book',
    mutate: ['sync/hq/customers/apply-customer-events.ts'],
    // apply-customer-events.test.ts applies every event kind in the projector's transaction on one PGlite: the
    // rows each writes, the store checks, once-only, and the dead-letter path. The push, projector, transfer and
    // campaign tests reach a few kinds through HTTP and a whole HQ server each (a PGlite and a server per mutant).
    tests: ['sync/hq/customers/apply-customer-events.test.ts'],
    late: true,
  },
  {
    name: 'bulk-load',
    // bulk-feeds.ts is the 17-line table of which feeds the loader reproduces: mutated with its one user.
    mutate: ['sync/hq/bulk-load.ts', 'sync/hq/bulk-feeds.ts'],
    // One file, one PGlite per mutant: the set-based load compared row for row with the triggers' (the sample brand
    // twice), and a small brand for the rest. The sample-brand and catalog-import tests reach the loader too, through
    // whole imports, and would each add a PGlite start per mutant.
    tests: ['sync/hq/bulk-load.test.ts'],
    late: true,
  },
  {
    name: 'pg-arrays',
    // HQ's array parameters as literals: a wrong literal is a wrong row. The mutation run's backend is PGlite, which never
    // calls encodeArrayParams; its unit cases and the literal read back by PostgreSQL as text[] are what kill mutants.
    mutate: ['sync/hq/pg-arrays.ts'],
    tests: ['sync/hq/pg-arrays.test.ts'],
  },
  {
    name: 'sale-fast-check',
    // HQ's fast check of a sale before the schema: a surviving mutant that loosens it would let a broken sale skip the schema.
    mutate: ['sync/protocol/events/sale-fast-check.ts'],
    tests: ['sync/protocol/events/sale-fast-check.test.ts'],
  },
  {
    name: 'checkpoints',
    // The device's checkpoints after a pull (held off, handed to the worker, put back) and the worker itself:
    // pull.ts's checkpoint section and the lines of pullOnce that choose; the rest of pull.ts is the replicator tests'.
    mutate: ['sync/client/pull.ts:112-240', 'sync/client/pull.ts:261-282', 'main/store/checkpoint-worker.ts'],
    tests: ['sync/client/checkpoints.test.ts'],
  },
  {
    name: 'deferred-indexes',
    // A provisioning's tables loaded without their secondary indexes: the module, where applyPage drops and builds
    // them, the next pull's build of a scope no longer provisioned, the duplicate resolution, and the migration runner's
    // foreign keys for the migration that made the EAN's index droppable.
    mutate: [
      'sync/client/deferred-indexes.ts',
      'sync/client/apply.ts:288-291',
      'sync/client/apply.ts:332-333',
      'sync/client/apply.ts:356-356',
      'sync/client/apply.ts:367-380',
      'sync/client/pull.ts:267-276',
      'sync/client/unique-keys.ts:61-98',
      'main/store/migrate.ts:47-56',
    ],
    tests: ['sync/client/deferred-indexes.test.ts', 'main/store/migrations/0008-sku-ean-index.test.ts'],
  },
  {
    name: 'pull-pages',
    // A pull answer's pages in brief (the x-sf-pull-pages header) and the provisioning's count on the
    // connections without parallel workers (its totals: feed.test.ts); the device's use of the header is the
    // replicator tests'.
    mutate: ['sync/protocol/feed.ts:72-107', 'sync/hq/feed.ts:167-171'],
    tests: ['sync/protocol/page-heads.test.ts', 'sync/hq/feed-plans.test.ts', 'sync/hq/feed.test.ts'],
  },
  {
    name: 'campaigns',
    // HQ's campaigns: whom they aim at (dormancy, consent, do-not-disturb, blackouts) and their tasks, written through the
    // bulk loader. A surviving mutant here tasks a customer who opted out, or nobody at all.
    mutate: ['sync/hq/customers/campaigns.ts'],
    tests: ['sync/hq/customers/campaigns.test.ts'],
    late: true,
  },
  {
    name: 'customer-list',
    // A guide's and a manager's list: which way a page is read (the guide's own next actions, the store's, a tag's index,
    // a name's), its order, its count, and the rows it shows. A surviving mutant here hides a customer from their guide or
    // shows one twice.
    mutate: ['main/customers/customer-directory.ts:1-175', 'main/customers/customer-views.ts:117-192'],
    tests: ['main/customers/customer-list.test.ts', 'main/customers/customers.test.ts', 'main/customers/customers-contract.test.ts'],
    late: true,
  },
  {
    name: 'page-apply',
    mutate: ['sync/client/apply.ts'],
    // customer-move.test.ts: a customer's tombstone takes the book rows written on the device along (CASCADES).
    tests: ['sync/client/apply.test.ts', 'sync/client/apply-mutants.test.ts', 'sync/client/customer-move.test.ts'],
    late: true,
  },
];

/** The module named `name`, or a clear error listing the names there are. */
export function moduleNamed(name) {
  const found = MODULES.find((m) => m.name === name);
  if (!found) throw new Error(`unknown mutation module "${name}"; known: ${MODULES.map((m) => m.name).join(', ')}`);
  return found;
}
