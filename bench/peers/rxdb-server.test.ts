import { describe, expect, it } from 'vitest';
import { MemoryCollection } from './rxdb-server.js';
import type { Checkpoint, ServerDoc } from './rxdb-server.js';

const doc = (id: string, n = 0) => ({ id, n, _deleted: false });

/** Pulls everything after `from` in pages of `limit`, like RxDB's pull loop. */
function pullAll(c: MemoryCollection, from: Checkpoint | null, limit: number): { docs: ServerDoc[]; checkpoint: Checkpoint | null } {
  const docs: ServerDoc[] = [];
  let checkpoint = from;
  for (;;) {
    const page = c.pull(checkpoint, limit);
    docs.push(...page.documents);
    checkpoint = page.checkpoint;
    if (page.documents.length < limit) return { docs, checkpoint };
  }
}

describe('the RxDB peer server collection', () => {
  it('pages through every document exactly once, whatever the page size', () => {
    const c = new MemoryCollection();
    c.write(Array.from({ length: 250 }, (_, i) => doc(`b${String(i).padStart(3, '0')}`)));
    c.write(Array.from({ length: 100 }, (_, i) => doc(`a${String(i).padStart(3, '0')}`)));
    for (const limit of [1, 7, 100, 1000]) {
      const { docs } = pullAll(c, null, limit);
      expect(docs).toHaveLength(350);
      expect(new Set(docs.map((d) => d.id)).size).toBe(350);
    }
  });

  it('after a checkpoint returns only what changed since, at its latest state', () => {
    const c = new MemoryCollection();
    c.write(Array.from({ length: 50 }, (_, i) => doc(`k${i}`)));
    const { checkpoint } = pullAll(c, null, 10);
    c.write([doc('k3', 1), doc('k40', 1)]);
    c.write([doc('k3', 2)]);
    const { docs } = pullAll(c, checkpoint, 10);
    expect(docs.map((d) => [d.id, d.n])).toEqual([
      ['k40', 1],
      ['k3', 2],
    ]);
    expect(pullAll(c, pullAll(c, checkpoint, 10).checkpoint, 10).docs).toEqual([]);
  });

  it('accepts new documents and answers a stale write with the current state as a conflict', () => {
    const c = new MemoryCollection();
    expect(c.push([{ newDocumentState: doc('x', 1) }])).toEqual([]);
    const current = c.docs.get('x')!;
    const stale = { ...current, updatedAt: current.updatedAt - 1 };
    const conflicts = c.push([{ newDocumentState: doc('x', 2), assumedMasterState: stale }, { newDocumentState: doc('y', 1) }]);
    expect(conflicts).toEqual([current]);
    expect(c.docs.get('x')?.n).toBe(1);
    expect(c.push([{ newDocumentState: doc('x', 3), assumedMasterState: current }])).toEqual([]);
    expect(c.docs.get('x')?.n).toBe(3);
    expect(c.docs.size).toBe(2);
  });
});
