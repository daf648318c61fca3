import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOutbox } from '../store/outbox.js';
import { killAfter as killChildAfter } from '../testing/kill-child.js';
import { tempDir } from '../testing/temp-dir.js';
import type { SaleCompleted } from '../../sync/protocol/events/index.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';

const child = fileURLToPath(new URL('../testing/sale-crash-child.ts', import.meta.url));
const data = sampleData();
const eans = data.skus
  .filter((s) => s.active)
  .slice(0, 5)
  .map((s) => s.ean);

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const paths = () => ({ db: join(dir.path, 'shopfloor.db'), key: join(dir.path, 'store.key') });

/** Starts the child in `mode`, waits for `marker`, then SIGKILLs it `afterMs` later. */
const killAfter = (mode: 'loop' | 'pause', marker: string, afterMs: number) =>
  killChildAfter(child, [paths().db, paths().key, mode, ...eans], marker, afterMs);

/** Every committed sale has its event, lines and tenders as the event says, and every event its sale. */
function consistency() {
  const pos = openTestCheckout({ dbPath: paths().db, keyPath: paths().key });
  const db = pos.store.db;
  const sales = db.prepare('SELECT id, receipt_no FROM sale ORDER BY id').all() as { id: string; receipt_no: string }[];
  const events = readOutbox(db, 1_000_000).filter((e) => e.type === 'sale.completed');
  const payloads = events.map((e) => e.payload as SaleCompleted);
  const mismatches: string[] = [];
  for (const p of payloads) {
    const lines = db.prepare('SELECT count(*) AS n FROM sale_line WHERE sale_id = ?').get(p.saleId) as { n: number };
    const tenders = db
      .prepare('SELECT coalesce(sum(amount_fen), 0) AS fen, count(*) AS n FROM sale_tender WHERE sale_id = ?')
      .get(p.saleId) as { fen: number; n: number };
    if (lines.n !== p.lines.length || tenders.n !== p.tenders.length || tenders.fen !== p.totals.netFen) mismatches.push(p.receiptNo);
  }
  const orphanLines = db.prepare('SELECT count(*) AS n FROM sale_line WHERE sale_id NOT IN (SELECT id FROM sale)').get() as { n: number };
  const counter = db.prepare('SELECT coalesce(max(last_seq), 0) AS n FROM receipt_counter').get() as { n: number };
  pos.close();
  return {
    saleIds: sales.map((s) => s.id),
    eventSaleIds: payloads.map((p) => p.saleId).sort(),
    mismatches,
    orphanLines: orphanLines.n,
    counter: counter.n,
  };
}

describe('sale commit', () => {
  it('leaves neither sale nor event when killed inside the commit transaction', async () => {
    openTestCheckout({ dbPath: paths().db, keyPath: paths().key }).close();
    expect(await killAfter('pause', 'in-transaction', 0)).toBe('SIGKILL');
    const c = consistency();
    expect(c.saleIds).toEqual([]);
    expect(c.eventSaleIds).toEqual([]);
    expect(c.orphanLines).toBe(0);
    // The receipt counter rolled back with the sale: the number is not burnt.
    expect(c.counter).toBe(0);
  });

  it('leaves sale, lines, tenders and event together for every sale when killed at random moments', async () => {
    openTestCheckout({ dbPath: paths().db, keyPath: paths().key }).close();
    let total = 0;
    for (const afterMs of [40, 170, 400]) {
      expect(await killAfter('loop', 'started', afterMs)).toBe('SIGKILL');
      const c = consistency();
      expect(c.eventSaleIds).toEqual(c.saleIds);
      expect(c.mismatches).toEqual([]);
      expect(c.orphanLines).toBe(0);
      expect(c.counter).toBe(c.saleIds.length);
      expect(c.saleIds.length).toBeGreaterThanOrEqual(total);
      total = c.saleIds.length;
    }
    expect(total).toBeGreaterThan(0);
  }, 60_000);
});
