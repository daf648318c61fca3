import type { CashMovement, OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';

/** A recorded event as the projector reads it back: the event, and when HQ recorded it. */
export type RecordedEvent = OutboxEvent & { receivedAt: string };

/**
 * The rows a batch of recorded events writes, as one array per column (for `unnest`). Built in
 * Node from payloads the push already checked (event-schemas.ts), so PostgreSQL never re-parses
 * the stored JSON once per table. One batch of the projector holds events of many devices: a sale
 * or cash movement carries its event's id, store and device; lines and tenders go by their sale
 * (only the sales written now keep theirs), and a line also names its store, for stock.
 */
export type EffectColumns = {
  sale: {
    eventId: string[];
    storeId: string[];
    deviceId: string[];
    receivedAt: string[];
    id: string[];
    receiptNo: string[];
    kind: string[];
    staffId: string[];
    customerId: (string | null)[];
    originalSaleId: (string | null)[];
    businessDay: string[];
    totalFen: number[];
    netFen: number[];
    offline: boolean[];
    createdAt: string[];
  };
  line: {
    storeId: string[];
    id: string[];
    saleId: string[];
    sku: string[];
    qty: number[];
    unitFen: number[];
    totalFen: number[];
    originalLineId: (string | null)[];
  };
  tender: {
    saleId: string[];
    n: number[];
    method: string[];
    amountFen: number[];
    reference: (string | null)[];
    /** A refund paid another way: the method its money came from. */
    insteadOf: (string | null)[];
  };
  cash: {
    eventId: string[];
    storeId: string[];
    deviceId: string[];
    id: string[];
    sessionId: string[];
    kind: string[];
    amountFen: number[];
    staffId: (string | null)[];
  };
};

const CASH_TYPES = new Set(['cash.paid_in', 'cash.paid_out', 'cash.no_sale']);

/** The sale, line, tender and cash rows of `events` (other types are only recorded). */
export function effectColumns(events: readonly RecordedEvent[]): EffectColumns {
  const c: EffectColumns = {
    sale: {
      eventId: [],
      storeId: [],
      deviceId: [],
      receivedAt: [],
      id: [],
      receiptNo: [],
      kind: [],
      staffId: [],
      customerId: [],
      originalSaleId: [],
      businessDay: [],
      totalFen: [],
      netFen: [],
      offline: [],
      createdAt: [],
    },
    line: { storeId: [], id: [], saleId: [], sku: [], qty: [], unitFen: [], totalFen: [], originalLineId: [] },
    tender: { saleId: [], n: [], method: [], amountFen: [], reference: [], insteadOf: [] },
    cash: { eventId: [], storeId: [], deviceId: [], id: [], sessionId: [], kind: [], amountFen: [], staffId: [] },
  };
  for (const event of events) {
    if (event.type === 'sale.completed') addSale(c, event, event.payload as SaleCompleted);
    else if (CASH_TYPES.has(event.type)) {
      const p = event.payload as CashMovement;
      c.cash.eventId.push(event.id);
      c.cash.storeId.push(event.storeId);
      c.cash.deviceId.push(event.deviceId);
      c.cash.id.push(p.id);
      c.cash.sessionId.push(p.sessionId);
      c.cash.kind.push(event.type.slice('cash.'.length));
      c.cash.amountFen.push(p.amountFen);
      c.cash.staffId.push(event.staffId);
    }
  }
  return c;
}

function addSale(c: EffectColumns, event: RecordedEvent, p: SaleCompleted): void {
  const { sale, line, tender } = c;
  sale.eventId.push(event.id);
  sale.storeId.push(event.storeId);
  sale.deviceId.push(event.deviceId);
  sale.receivedAt.push(event.receivedAt);
  sale.id.push(p.saleId);
  sale.receiptNo.push(p.receiptNo);
  sale.kind.push(p.kind);
  sale.staffId.push(p.staffId);
  sale.customerId.push(p.customerId);
  sale.originalSaleId.push(p.originalSaleId);
  sale.businessDay.push(p.businessDay);
  sale.totalFen.push(p.totals.totalFen);
  sale.netFen.push(p.totals.netFen);
  sale.offline.push(p.offline);
  sale.createdAt.push(p.createdAt);
  for (const l of p.lines) {
    line.storeId.push(event.storeId);
    line.id.push(l.lineId);
    line.saleId.push(p.saleId);
    line.sku.push(l.sku);
    line.qty.push(l.qty);
    line.unitFen.push(l.unitFen);
    line.totalFen.push(l.totalFen);
    line.originalLineId.push(l.originalLineId);
  }
  p.tenders.forEach((t, i) => {
    tender.saleId.push(p.saleId);
    tender.n.push(i + 1);
    tender.method.push(t.method);
    tender.amountFen.push(t.amountFen);
    tender.reference.push(t.reference);
    tender.insteadOf.push(t.insteadOf ?? null);
  });
}
