/**
 * The RxDB peer's server side: what RxDB's HTTP replication guide has a backend do, kept in
 * memory. Each collection is a map of documents plus a change log ordered by the checkpoint
 * (updatedAt, id); a pull returns the documents after a checkpoint, a push writes the rows whose
 * assumed master state matches and returns the others as conflicts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson } from './peer-child.js';

export type Checkpoint = { updatedAt: number; id: string };
/** A document as written: its fields, the primary key `id` and RxDB's deleted flag. */
export type DocBody = { id: string; _deleted: boolean; [key: string]: unknown };
export type ServerDoc = DocBody & { updatedAt: number };
export type PushRow = { newDocumentState: DocBody; assumedMasterState?: ServerDoc | null };
export type PullAnswer = { documents: ServerDoc[]; checkpoint: Checkpoint | null };

function after(a: Checkpoint, b: Checkpoint): boolean {
  return a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id > b.id);
}

export class MemoryCollection {
  readonly docs = new Map<string, ServerDoc>();
  /** Sorted by (updatedAt, id); an entry is stale once its doc was written again. */
  private readonly log: Checkpoint[] = [];
  private lastUpdatedAt = 0;

  /** Writes a batch under one updatedAt, later than any before, so the log stays sorted by appending. */
  write(docs: DocBody[]): void {
    const updatedAt = Math.max(Date.now(), this.lastUpdatedAt + 1);
    this.lastUpdatedAt = updatedAt;
    const sorted = [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const doc of sorted) {
      this.docs.set(doc.id, { ...doc, updatedAt });
      this.log.push({ updatedAt, id: doc.id });
    }
  }

  pull(checkpoint: Checkpoint | null, limit: number): PullAnswer {
    let lo = 0;
    let hi = this.log.length;
    if (checkpoint) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (after(this.log[mid]!, checkpoint)) hi = mid;
        else lo = mid + 1;
      }
    }
    const documents: ServerDoc[] = [];
    let last = checkpoint;
    for (let i = lo; i < this.log.length && documents.length < limit; i++) {
      const entry = this.log[i]!;
      const doc = this.docs.get(entry.id);
      if (doc?.updatedAt !== entry.updatedAt) continue;
      documents.push(doc);
      last = entry;
    }
    return { documents, checkpoint: last };
  }

  /** Conflict when the client's assumed master state is not the server's current state. */
  push(rows: PushRow[]): ServerDoc[] {
    const conflicts: ServerDoc[] = [];
    const accepted: DocBody[] = [];
    for (const row of rows) {
      const current = this.docs.get(row.newDocumentState.id);
      if (current && current.updatedAt !== row.assumedMasterState?.updatedAt) conflicts.push(current);
      else accepted.push(row.newDocumentState);
    }
    this.write(accepted);
    return conflicts;
  }
}

/** Routes `GET /<name>/pull?updatedAt=&id=&limit=` and `POST /<name>/push`; false when not one of them. */
export function route(collections: ReadonlyMap<string, MemoryCollection>, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const [, name, op] = url.pathname.split('/');
  const collection = name === undefined ? undefined : collections.get(name);
  if (!collection) return false;
  if (op === 'pull' && req.method === 'GET') {
    const updatedAt = url.searchParams.get('updatedAt');
    const id = url.searchParams.get('id');
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const checkpoint = updatedAt !== null && id !== null ? { updatedAt: Number(updatedAt), id } : null;
    sendJson(res, 200, collection.pull(checkpoint, limit));
    return true;
  }
  if (op === 'push' && req.method === 'POST') {
    readJson<PushRow[]>(req)
      .then((rows) => sendJson(res, 200, collection.push(rows)))
      .catch((error: unknown) => sendJson(res, 400, { error: String(error) }));
    return true;
  }
  return false;
}
