/**
 * The device's own customer-book changes that a pull could otherwise undo: each sets columns of a
 * row HQ also feeds (a profile's consent, a task's status) or adds or deletes a row under a key HQ
 * also feeds (a customer's tag: the customer and the tag's name, the same row for every add and
 * removal of it), so HQ's row — changed at HQ for another reason before HQ's projector applied the
 * device's event, or still the one HQ projected from the guide's earlier change of the same tag —
 * would bring the old value back, and HQ's tombstone would take a tag added again away. The device
 * keeps such an event after HQ accepted it ("awaiting HQ") and puts its change back on top of what
 * a pull writes (sync/client/own-changes.ts), until HQ's row shows it. Notes and contacts are rows
 * of the device's own making under keys of their own: HQ's copy is never older.
 */
export const OWN_CHANGE_TYPES: ReadonlySet<string> = new Set([
  'customer.consent_changed',
  'customer.task_done',
  'customer.task_snoozed',
  'customer.tag_added',
  'customer.tag_removed',
]);

/**
 * How long an accepted event is kept at most when HQ's row never comes back showing it (HQ did not
 * apply it: the customer moved to another store, or someone else changed the row since): then HQ's
 * row stands. Generous, so a projector hours behind after an outage is covered.
 */
export const AWAIT_HQ_MS = 24 * 3600_000;

/** One such change as the device put it in its outbox: `awaiting` once HQ accepted it (it left the outbox). */
export type OwnChange = { id: string; type: string; payload: unknown; occurredAt: string; awaiting: boolean };
