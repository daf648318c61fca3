/**
 * The slice of PouchDB 9 and express-pouchdb 4 that the benchmark uses. Neither ships types and
 * @types/pouchdb is not installed, so they are loaded with require() and typed here.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type PouchDoc = { _id: string; _rev?: string; [key: string]: unknown };

export type ReplicateOptions = { batch_size?: number; batches_limit?: number; live?: boolean; retry?: boolean };
export type ReplicationResult = { ok: boolean; docs_read: number; docs_written: number; doc_write_failures: number; errors: unknown[] };

export type PouchDatabase = {
  info(): Promise<{ doc_count: number; update_seq: number | string }>;
  bulkDocs(docs: PouchDoc[]): Promise<Array<{ ok?: boolean; id: string; error?: string }>>;
  allDocs(options: {
    keys?: string[];
    include_docs?: boolean;
    limit?: number;
  }): Promise<{ rows: Array<{ id: string; value?: { rev: string }; doc?: PouchDoc; error?: string }> }>;
  close(): Promise<void>;
};

export type PouchStatic = {
  new (name: string): PouchDatabase;
  defaults(options: { prefix: string }): PouchStatic;
  /** Resolves when a one-shot replication completes (rejects on failure). */
  replicate(source: PouchDatabase | string, target: PouchDatabase | string, options: ReplicateOptions): Promise<ReplicationResult>;
};

export type ExpressPouchdb = (
  pouch: PouchStatic,
  options: {
    mode: 'minimumForPouchDB' | 'fullCouchDB';
    inMemoryConfig?: boolean;
    configPath?: string;
    overrideMode?: { include?: string[]; exclude?: string[] };
  },
) => (req: IncomingMessage, res: ServerResponse) => void;

const require = createRequire(import.meta.url);

export function loadPouchDB(): PouchStatic {
  return require('pouchdb-node') as PouchStatic;
}

export function loadExpressPouchdb(): ExpressPouchdb {
  return require('express-pouchdb') as ExpressPouchdb;
}
