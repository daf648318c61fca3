import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { AuthedDevice } from '../context.js';
import type { Sql } from '../db.js';
import type { Claims, Rejection } from './check-events.js';

/**
 * The checks that need HQ's records, inside the push transaction. An event is judged by what was
 * true when it happened (`occurred_at`), never by what changed since — a cashier moved to another
 * store after selling offline still sold for this one:
 * - the staff it names belonged to the device's store then (staff_assignment);
 * - the manager who approved a cash movement was a manager of that store then (HQ migration 0015:
 *   a manager made a cashier since still approved it);
 * - a sale's receipt number carries this device's store and device parts (receipt numbers are
 *   unique chain-wide: a device must not take another's and get that device's real sales refused);
 * - a return takes back lines of a sale of the same store that HQ has (or that comes earlier in
 *   the same push, not refused), no more units than were sold on them and no more money than the
 *   sale's lines were worth, counting earlier returns.
 */
export async function checkFacts(
  sql: Sql,
  device: AuthedDevice,
  events: readonly OutboxEvent[],
  claims: ReadonlyMap<string, Claims>,
  rejected: Map<string, Rejection>,
): Promise<void> {
  const reject = (id: string, r: Rejection) => {
    if (!rejected.has(id)) rejected.set(id, r);
  };
  const at = new Map(events.map((e) => [e.id, e.occurredAt]));
  const named = events.flatMap((e) => (claims.get(e.id)?.staff ?? []).map((s) => ({ event: e.id, staff: s, at: e.occurredAt })));
  for (const miss of await notAssigned(sql, device.storeId, named, false)) {
    reject(miss.event, {
      reason: 'foreign_staff',
      message: `staff ${miss.staff} was not of store ${device.storeId} when this happened (${at.get(miss.event)})`,
    });
  }
  const approvers = events.flatMap((e) => {
    const by = claims.get(e.id)?.approvedBy;
    return by ? [{ event: e.id, staff: by, at: e.occurredAt }] : [];
  });
  for (const miss of await notAssigned(sql, device.storeId, approvers, true)) {
    reject(miss.event, {
      reason: 'foreign_staff',
      message: `${miss.staff}, who approved it, was not a manager of store ${device.storeId} then`,
    });
  }
  await checkReceipts(sql, device, events, claims, reject);
  await checkReturns(sql, device, events, claims, reject, rejected);
}

type Named = { event: string; staff: string; at: string };

/** The (event, staff) pairs whose staff did not belong to the store at the event's time (or, for approvers, was no manager there). */
async function notAssigned(sql: Sql, storeId: string, named: readonly Named[], managers: boolean): Promise<Named[]> {
  if (named.length === 0) return [];
  const rows = await sql.query<{ i: number }>(
    `SELECT x.i FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS x(staff_id, at, i)
      WHERE NOT EXISTS (
        SELECT 1 FROM staff_assignment a
         WHERE a.staff_id = x.staff_id AND a.store_id = $3 AND a.valid_from <= x.at AND (a.valid_to IS NULL OR a.valid_to > x.at)
           AND ($4::boolean IS FALSE OR a.role = 'manager'))`,
    [named.map((n) => n.staff), named.map((n) => n.at), storeId, managers],
  );
  return rows.map((r) => named[Number(r.i) - 1]!);
}

/** This device's own parts of a receipt number: the code HQ gave it at enrolment, or the one it used before (its id's last 4 hex digits). */
function ownDeviceParts(device: AuthedDevice): Set<string> {
  return new Set([
    device.receiptCode.padStart(4, '0'),
    device.id
      .replace(/[^0-9a-f]/gi, '')
      .slice(-4)
      .toUpperCase(),
  ]);
}

async function checkReceipts(
  sql: Sql,
  device: AuthedDevice,
  events: readonly OutboxEvent[],
  claims: ReadonlyMap<string, Claims>,
  reject: (id: string, r: Rejection) => void,
): Promise<void> {
  const withReceipt = events.filter((e) => claims.get(e.id)?.receiptNo);
  if (withReceipt.length === 0) return;
  const [store] = await sql.query<{ code: string }>('SELECT code FROM location WHERE id = $1', [device.storeId]);
  const devices = ownDeviceParts(device);
  for (const e of withReceipt) {
    const receiptNo = claims.get(e.id)!.receiptNo!;
    const [storePart, devicePart] = receiptNo.split('-');
    if (storePart !== store?.code || !devicePart || !devices.has(devicePart)) {
      reject(e.id, {
        reason: 'foreign_store',
        message: `receipt number ${receiptNo.slice(0, 64)} is not this device's (store ${store?.code ?? '?'}, device ${[...devices].join(' or ')})`,
      });
    }
  }
}

type Original = { id: string; store_id: string; total_fen: string };
type OriginalLine = { id: string; sale_id: string; qty: number; returned: number; returned_fen: string };

async function checkReturns(
  sql: Sql,
  device: AuthedDevice,
  events: readonly OutboxEvent[],
  claims: ReadonlyMap<string, Claims>,
  reject: (id: string, r: Rejection) => void,
  rejected: ReadonlyMap<string, Rejection>,
): Promise<void> {
  const returns = events.flatMap((e) => {
    const back = claims.get(e.id)?.takesBack;
    return back ? [{ id: e.id, back }] : [];
  });
  if (returns.length === 0) return;
  const saleIds = [...new Set(returns.map((r) => r.back.originalSaleId))];
  // What the original sales sold, and what earlier returns (already recorded) took back of each
  // line, in units and in money: a sale's refunded money is its lines' (lines returned without a
  // receipt beside them, paid in cash, take nothing of it).
  const originals = await sql.query<Original>(
    'SELECT s.id, s.store_id, s.total_fen::text AS total_fen FROM sale s WHERE s.id = ANY($1::text[])',
    [saleIds],
  );
  const lines = await sql.query<OriginalLine>(
    `SELECT l.id, l.sale_id, l.qty, coalesce(-r.qty, 0)::int AS returned, coalesce(-r.fen, 0)::text AS returned_fen
       FROM sale_line l
       LEFT JOIN LATERAL (SELECT sum(x.qty) AS qty, sum(x.total_fen) AS fen FROM sale_line x WHERE x.original_line_id = l.id) r ON true
      WHERE l.sale_id = ANY($1::text[])`,
    [saleIds],
  );
  const refunded = new Map<string, bigint>();
  for (const l of lines) refunded.set(l.sale_id, (refunded.get(l.sale_id) ?? 0n) + BigInt(l.returned_fen));
  // `pushedAt`: where in this push the sale is (-1: HQ has it), and its event.
  const sale = new Map(
    originals.map((o) => [o.id, { ...o, left: BigInt(o.total_fen) - (refunded.get(o.id) ?? 0n), pushedAt: -1, event: '' }]),
  );
  const line = new Map(lines.map((l) => [l.id, { ...l, left: l.qty - l.returned }]));
  // Sales of this push (a till offline all day sold, then took something back, and pushes both at
  // once): a return may take back what one earlier in the push sold, unless that sale was refused.
  const position = new Map(events.map((e, i) => [e.id, i]));
  const returned = new Set(saleIds);
  events.forEach((e, i) => {
    if (e.type !== 'sale.completed' || !claims.has(e.id)) return;
    const p = e.payload as SaleCompleted;
    if (!returned.has(p.saleId) || sale.has(p.saleId)) return;
    const total = String(p.totals.totalFen);
    sale.set(p.saleId, {
      id: p.saleId,
      store_id: device.storeId,
      total_fen: total,
      left: BigInt(total),
      pushedAt: i,
      event: e.id,
    });
    for (const l of p.lines)
      if (l.qty > 0 && !line.has(l.lineId))
        line.set(l.lineId, { id: l.lineId, sale_id: p.saleId, qty: l.qty, returned: 0, returned_fen: '0', left: l.qty });
  });
  // In push order: a return earlier in this batch uses up what a later one may take back.
  for (const { id, back } of returns) {
    const found = sale.get(back.originalSaleId);
    const there = found && (found.pushedAt < 0 || (found.pushedAt < position.get(id)! && !rejected.has(found.event)));
    const original = there ? found : undefined;
    if (!original) {
      reject(id, { reason: 'bad_payload', message: `the original sale ${back.originalSaleId.slice(0, 64)} is not at HQ` });
      continue;
    }
    if (original.store_id !== device.storeId) {
      reject(id, { reason: 'foreign_store', message: `the original sale ${original.id} is of store ${original.store_id}` });
      continue;
    }
    const bad = back.lines.find((l) => line.get(l.originalLineId)?.sale_id !== original.id || l.qty > line.get(l.originalLineId)!.left);
    if (bad) {
      const known = line.get(bad.originalLineId);
      reject(id, {
        reason: 'bad_payload',
        message:
          known?.sale_id === original.id
            ? `${bad.qty} units back on line ${bad.originalLineId}, only ${known.left} are left`
            : `line ${bad.originalLineId} is not a line of sale ${original.id}`,
      });
      continue;
    }
    if (BigInt(back.refundFen) > original.left) {
      reject(id, {
        reason: 'bad_payload',
        message: `refunds ${back.refundFen} of sale ${original.id}, only ${original.left} of its lines are left to refund`,
      });
      continue;
    }
    original.left -= BigInt(back.refundFen);
    for (const l of back.lines) line.get(l.originalLineId)!.left -= l.qty;
  }
}
