import { describe, expect, it } from 'vitest';
import { catalogDocs, changedDocs, orderDocs } from './workload.js';

const bytes = (doc: unknown) => Buffer.byteLength(JSON.stringify(doc));

describe('sync benchmark workload', () => {
  it('gives the same documents on every run', () => {
    expect(catalogDocs(500)).toEqual(catalogDocs(500));
    expect(orderDocs(50)).toEqual(orderDocs(50));
  });

  it('makes flat catalog docs of about 200 bytes with unique ids', () => {
    const docs = catalogDocs(5000);
    expect(docs).toHaveLength(5000);
    expect(new Set(docs.map((d) => d.id)).size).toBe(5000);
    const avg = docs.reduce((sum, d) => sum + bytes(d), 0) / docs.length;
    expect(avg).toBeGreaterThan(170);
    expect(avg).toBeLessThan(260);
    for (const d of docs) expect(Object.values(d).every((v) => typeof v !== 'object')).toBe(true);
  });

  it('makes orders of about 1 KB whose money adds up in whole fen', () => {
    const orders = orderDocs(2000);
    expect(new Set(orders.map((o) => o.id)).size).toBe(2000);
    const avg = orders.reduce((sum, o) => sum + bytes(o), 0) / orders.length;
    expect(avg).toBeGreaterThan(800);
    expect(avg).toBeLessThan(1300);
    for (const o of orders) {
      expect(o.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const money = [
        o.subtotal_fen,
        o.discount_fen,
        o.total_fen,
        o.paid_fen,
        ...o.lines.flatMap((l) => [l.unit_price_fen, l.discount_fen, l.line_total_fen]),
        ...o.tenders.map((t) => t.amount_fen),
      ];
      expect(money.every((m) => Number.isSafeInteger(m) && m >= 0)).toBe(true);
      expect(o.lines.reduce((sum, l) => sum + l.line_total_fen, 0)).toBe(o.total_fen);
      expect(o.subtotal_fen - o.discount_fen).toBe(o.total_fen);
      expect(o.paid_fen).toBe(o.total_fen);
      expect(o.lines.every((l) => l.line_total_fen > 0)).toBe(true);
    }
    // Sales sort by id in the order they were made, as UUIDv7 ids do.
    expect(orders.map((o) => o.id)).toEqual([...orders.map((o) => o.id)].sort());
  });

  it('changes exactly n distinct docs, each to a new whole-yuan price', () => {
    const docs = catalogDocs(3000);
    const changed = changedDocs(docs, 1000);
    expect(changed).toHaveLength(1000);
    expect(new Set(changed.map((d) => d.id)).size).toBe(1000);
    const before = new Map(docs.map((d) => [d.id, d]));
    for (const d of changed) {
      const old = before.get(d.id)!;
      expect(d.price_fen).toBeLessThan(old.price_fen);
      expect(d.price_fen % 100).toBe(0);
      expect({ ...d, price_fen: old.price_fen }).toEqual(old);
    }
    expect(changedDocs(docs, 5000)).toHaveLength(3000);
    expect(changedDocs([], 10)).toEqual([]);
  });
});
