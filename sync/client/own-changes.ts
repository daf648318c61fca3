import type { ApplyStatements, WirePage } from './apply.js';
import { ENTITIES } from '../protocol/entities.js';
import type { CellValue } from '../protocol/entities.js';
import { consentChangedSchema, tagSchema, taskDoneSchema, taskSnoozedSchema } from '../protocol/events/customer.js';
import type { OwnChange } from '../protocol/own-changes.js';

/**
 * The device shows its own change at once and HQ's answer wins when it arrives: after a page wrote
 * HQ's rows, the device's own customer-book changes that HQ has not been seen to apply are put back
 * on top of the rows the page brought or took away (sync/protocol/own-changes.ts says which and
 * why). Per row, the oldest accepted changes HQ's row already shows are forgotten first: from then
 * on HQ's row is the answer. A change still in the outbox is always put back (HQ has not even seen it).
 *
 * Each change is put back as HQ's projector would apply it to HQ's row (sync/hq/customers/
 * apply-customer-events.ts), so the device shows what HQ will have once it projects: a task HQ
 * closed meanwhile (done on another device, cancelled) stays closed, a tag added is not put on a
 * customer this store no longer has.
 */
const KINDS = ['customer_profile', 'customer_task', 'customer_tag'] as const;
type Kind = (typeof KINDS)[number];
const isKind = (kind: string): kind is Kind => (KINDS as readonly string[]).includes(kind);

/** A row by its key values, in ENTITIES[kind].key order. */
type Target = { kind: Kind; key: CellValue[] };

type Effect = {
  target: Target;
  /**
   * The customer the change is of, where the event says so (a snooze names its task only): an
   * accepted change of a customer the store no longer has is forgotten (putOwnChangesBack).
   */
  customerId: string | null;
  /**
   * HQ's row as this page left it shows the change (or makes it moot); undefined where the row is
   * not there (HQ deleted it: for a tag, what shows a removal).
   */
  shownBy(row: Record<string, unknown> | undefined): boolean;
  /** Puts the change on the row. */
  apply(st: ApplyStatements): void;
};

const OPEN = (row: Record<string, unknown>) => row.status === 'open' || row.status === 'snoozed';

function effectOf(change: OwnChange, storeId: string): Effect | null {
  switch (change.type) {
    case 'customer.consent_changed': {
      const p = consentChangedSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { customerId, consent } = p.data;
      return {
        target: { kind: 'customer_profile', key: [customerId] },
        customerId,
        shownBy: (row) => row !== undefined && row.opted_out === (consent ? 0 : 1) && (!consent || row.consent === 1),
        apply: (st) =>
          st
            .prepared(`UPDATE customer_profile SET consent = CASE WHEN ? THEN 1 ELSE consent END, opted_out = ? WHERE customer_id = ?`)
            .run(consent ? 1 : 0, consent ? 0 : 1, customerId),
      };
    }
    case 'customer.task_done': {
      const p = taskDoneSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { taskId, contact } = p.data;
      return {
        target: { kind: 'customer_task', key: [taskId] },
        customerId: contact.customerId,
        shownBy: (row) => row !== undefined && !OPEN(row),
        apply: (st) =>
          st
            .prepared(`UPDATE customer_task SET status = 'done', outcome = ?, done_at = ? WHERE id = ? AND status IN ('open', 'snoozed')`)
            .run(contact.outcome, change.occurredAt, taskId),
      };
    }
    case 'customer.task_snoozed': {
      const p = taskSnoozedSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { taskId, until } = p.data;
      return {
        target: { kind: 'customer_task', key: [taskId] },
        customerId: null,
        shownBy: (row) => row !== undefined && (!OPEN(row) || (row.status === 'snoozed' && row.snoozed_until === until)),
        apply: (st) =>
          st
            .prepared(`UPDATE customer_task SET status = 'snoozed', snoozed_until = ? WHERE id = ? AND status IN ('open', 'snoozed')`)
            .run(until, taskId),
      };
    }
    case 'customer.tag_added': {
      const p = tagSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { customerId, tag } = p.data;
      return {
        target: { kind: 'customer_tag', key: [customerId, tag] },
        customerId,
        // HQ's insert does nothing where the customer has the tag already: any row of HQ's under the key shows it.
        shownBy: (row) => row !== undefined,
        // Only on a customer this store still has (HQ's projector takes the tag for its customers only).
        apply: (st) =>
          st
            .prepared(
              `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at)
               SELECT id, ?, store_id, 'manual', ? FROM customer WHERE id = ? AND store_id = ? ON CONFLICT (customer_id, tag) DO NOTHING`,
            )
            .run(tag, change.occurredAt, customerId, storeId),
      };
    }
    case 'customer.tag_removed': {
      const p = tagSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { customerId, tag } = p.data;
      return {
        target: { kind: 'customer_tag', key: [customerId, tag] },
        customerId,
        // HQ's tombstone shows it. HQ's delete takes only a manual tag, as the device's did (a manual tag never
        // has an automatic one's name: manualTagSchema), so a row of HQ's that is not manual shows it as well.
        // A manual row added after the removal (HQ's projector writes the add's time) is a later add at HQ, by
        // another guide or device, which HQ's answer is: the removal is not to be put back over it.
        shownBy: (row) =>
          row === undefined ||
          row.source !== 'manual' ||
          (typeof row.added_at === 'string' && Date.parse(row.added_at) > Date.parse(change.occurredAt)),
        apply: (st) => st.prepared(`DELETE FROM customer_tag WHERE customer_id = ? AND tag = ? AND source = 'manual'`).run(customerId, tag),
      };
    }
    default:
      return null;
  }
}

const idOf = (kind: Kind, key: readonly CellValue[]) => JSON.stringify([kind, ...key]);

/**
 * Of `targets` (the rows own changes are of), those `page` wrote or deleted, by idOf. Only a row
 * whose first key value a target has is keyed in full: a provisioning page of 50,000 profiles
 * with a few changes waiting costs a lookup per row, not a key built for each.
 */
function touched(page: WirePage, targets: readonly Target[]): Set<string> {
  const firstKeys = new Map<Kind, Set<CellValue>>();
  for (const t of targets) {
    const of = firstKeys.get(t.kind) ?? new Set<CellValue>();
    of.add(t.key[0] ?? null);
    firstKeys.set(t.kind, of);
  }
  const ids = new Set<string>();
  for (const set of page.sets) {
    const kind = set.kind;
    if (!isKind(kind)) continue;
    const wanted = firstKeys.get(kind);
    if (!wanted) continue;
    const spec = ENTITIES[kind];
    const at = spec.key.map((k) => spec.columns.findIndex((c) => c.name === k));
    const first = at[0] as number;
    for (const row of set.rows as CellValue[][])
      if (wanted.has(row[first] ?? null))
        ids.add(
          idOf(
            kind,
            at.map((i) => row[i] ?? null),
          ),
        );
    for (const key of set.deletes as CellValue[][]) if (wanted.has(key[0] ?? null)) ids.add(idOf(kind, key));
  }
  return ids;
}

/** The customers `page` takes off this store (moved to another store, or gone at HQ). */
function customersGone(page: WirePage): Set<string> {
  const gone = new Set<string>();
  for (const set of page.sets) if (set.kind === 'customer') for (const [id] of set.deletes as CellValue[][]) gone.add(String(id));
  return gone;
}

/**
 * Whether `page` wrote or deleted a row an own change may have to go back on, or took a customer
 * away whose accepted changes are to be forgotten (cheap: the page's own sets).
 */
export function touchesOwnChanges(page: WirePage): boolean {
  return page.sets.some(
    (s) =>
      (isKind(s.kind) && ((s.rows as unknown[]).length > 0 || (s.deletes as unknown[]).length > 0)) ||
      (s.kind === 'customer' && (s.deletes as unknown[]).length > 0),
  );
}

/** Runs in the page's transaction, after its rows were written. */
export function putOwnChangesBack(st: ApplyStatements, page: WirePage, storeId: string, now: string): void {
  const changes = st.outbox.ownChanges(storeId, now);
  // Most pages (a provisioning's 50,000 profiles) come with none waiting: no set of their keys is made.
  if (changes.length === 0) return;
  const gone = customersGone(page);
  const heard: string[] = [];
  const effects = changes.flatMap((change) => {
    const effect = effectOf(change, storeId);
    return effect ? [{ change, effect }] : [];
  });
  const ids = touched(
    page,
    effects.map((e) => e.effect.target),
  );
  const perRow = new Map<string, { change: OwnChange; effect: Effect }[]>();
  for (const { change, effect } of effects) {
    // A customer the store no longer has: HQ's projector skips what it had not applied before the move
    // (and what it had moves with the customer's rows), so HQ's row is the answer if they come back.
    if (change.awaiting && effect.customerId !== null && gone.has(effect.customerId)) {
      heard.push(change.id);
      continue;
    }
    const id = idOf(effect.target.kind, effect.target.key);
    if (!ids.has(id)) continue;
    const list = perRow.get(id) ?? [];
    list.push({ change, effect });
    perRow.set(id, list);
  }
  for (const list of perRow.values()) {
    const { kind, key } = (list[0] as { effect: Effect }).effect.target;
    const spec = ENTITIES[kind];
    const row = st.prepared(`SELECT * FROM ${spec.table} WHERE ${spec.key.map((k) => `${k} = ?`).join(' AND ')}`).get(...key) as
      Record<string, unknown> | undefined;
    // In order: a later change HQ's row happens to show says nothing of an earlier one not projected yet.
    let next = 0;
    for (; next < list.length; next++) {
      const { change, effect } = list[next] as { change: OwnChange; effect: Effect };
      if (!change.awaiting || !effect.shownBy(row)) break;
      heard.push(change.id);
    }
    for (const { effect } of list.slice(next)) effect.apply(st);
  }
  st.outbox.heard(heard);
}
