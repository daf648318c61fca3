import type { ApplyStatements, WirePage } from './apply.js';
import { consentChangedSchema, taskDoneSchema, taskSnoozedSchema } from '../protocol/events/customer.js';
import type { OwnChange } from '../protocol/own-changes.js';

/**
 * The device shows its own change at once and HQ's answer wins when it arrives: after a page wrote
 * HQ's rows, the device's own customer-book changes that HQ has not been seen to apply are put back
 * on top of the rows the page brought (sync/protocol/own-changes.ts says which and why). Per row,
 * the oldest accepted changes HQ's row already shows are forgotten first: from then on HQ's row is
 * the answer. A change still in the outbox is always put back (HQ has not even seen it).
 *
 * Each change is put back as HQ's projector would apply it to HQ's row (sync/hq/customers/
 * apply-customer-events.ts), so the device shows what HQ will have once it projects: a task HQ
 * closed meanwhile (done on another device, cancelled) stays closed.
 */
type Target = { kind: 'customer_profile' | 'customer_task'; key: string };

type Effect = {
  target: Target;
  /** HQ's row as this page wrote it shows the change (or makes it moot). */
  shownBy(row: Record<string, unknown>): boolean;
  /** Puts the change on the row. */
  apply(st: ApplyStatements): void;
};

const OPEN = (row: Record<string, unknown>) => row.status === 'open' || row.status === 'snoozed';

function effectOf(change: OwnChange): Effect | null {
  switch (change.type) {
    case 'customer.consent_changed': {
      const p = consentChangedSchema.safeParse(change.payload);
      if (!p.success) return null;
      const { customerId, consent } = p.data;
      return {
        target: { kind: 'customer_profile', key: customerId },
        shownBy: (row) => row.opted_out === (consent ? 0 : 1) && (!consent || row.consent === 1),
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
        target: { kind: 'customer_task', key: taskId },
        shownBy: (row) => !OPEN(row),
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
        target: { kind: 'customer_task', key: taskId },
        shownBy: (row) => !OPEN(row) || (row.status === 'snoozed' && row.snoozed_until === until),
        apply: (st) =>
          st
            .prepared(`UPDATE customer_task SET status = 'snoozed', snoozed_until = ? WHERE id = ? AND status IN ('open', 'snoozed')`)
            .run(until, taskId),
      };
    }
    default:
      return null;
  }
}

const KEY_COLUMN = { customer_profile: 'customer_id', customer_task: 'id' } as const;

/** The rows of the kinds own changes touch that `page` wrote, by kind (their keys are the rows' first column). */
function written(page: WirePage): Map<Target['kind'], Set<string>> {
  const keys = new Map<Target['kind'], Set<string>>();
  for (const set of page.sets) {
    if (set.kind !== 'customer_profile' && set.kind !== 'customer_task') continue;
    const rows = set.rows as unknown[][];
    if (rows.length === 0) continue;
    const of = keys.get(set.kind) ?? new Set<string>();
    for (const row of rows) of.add(row[0] as string);
    keys.set(set.kind, of);
  }
  return keys;
}

/** Whether `page` wrote a row an own change may have to go back on (cheap: the page's own sets). */
export function touchesOwnChanges(page: WirePage): boolean {
  return page.sets.some((s) => (s.kind === 'customer_profile' || s.kind === 'customer_task') && (s.rows as unknown[]).length > 0);
}

/** Runs in the page's transaction, after its rows were written. */
export function putOwnChangesBack(st: ApplyStatements, page: WirePage, storeId: string, now: string): void {
  const changes = st.outbox.ownChanges(storeId, now);
  // Most pages (a provisioning's 50,000 profiles) come with none waiting: no set of their keys is made.
  if (changes.length === 0) return;
  const keys = written(page);
  const perRow = new Map<string, { change: OwnChange; effect: Effect }[]>();
  for (const change of changes) {
    const effect = effectOf(change);
    if (!effect || !keys.get(effect.target.kind)?.has(effect.target.key)) continue;
    const id = `${effect.target.kind}\u0000${effect.target.key}`;
    const list = perRow.get(id) ?? [];
    list.push({ change, effect });
    perRow.set(id, list);
  }
  const heard: string[] = [];
  for (const list of perRow.values()) {
    const { kind, key } = (list[0] as { effect: Effect }).effect.target;
    const row = st.prepared(`SELECT * FROM ${kind} WHERE ${KEY_COLUMN[kind]} = ?`).get(key) as Record<string, unknown> | undefined;
    if (!row) continue;
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
