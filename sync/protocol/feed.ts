import { z } from 'zod';
import { ENTITY_KINDS } from './entities.js';

/**
 * Pull: HQ keeps one change feed per scope and a device pulls only its own scopes.
 *  - `brand:<code>`   catalog, prices, promotions, locations, warehouse stock, brand-wide coupons
 *  - `store:<id>`     the store's stock, staff (+ PIN hashes), customers, member codes, their coupons
 *  - `device:<id>`    what HQ decided about this device (receipt code, profile)
 * A page holds only the latest state of each entity; a delete travels as its key (a tombstone).
 * The device applies a page and stores its cursor in the same transaction.
 */
export const SCOPE_PATTERN = /^(brand|store|device):[A-Za-z0-9_.-]{1,64}$/;
export const scopeSchema = z.string().regex(SCOPE_PATTERN);

/** Opaque to the device: it stores what HQ sent and sends it back. `''` means "from the beginning". */
export const cursorSchema = z.string().max(512);

export const MAX_PULL_LIMIT = 50_000;
/** Scopes in one pull (a device has three: brand, store, device). */
export const MAX_PULL_SCOPES = 8;

export const pullRequestSchema = z
  .object({
    scopes: z
      .array(z.object({ scope: scopeSchema, cursor: cursorSchema }).strict())
      .min(1)
      .max(MAX_PULL_SCOPES),
    /** Rows in the whole answer, shared by the scopes in order. */
    limit: z.number().int().min(1).max(MAX_PULL_LIMIT),
    /** Ask HQ to count what is left (provisioning shows a progress bar with counts). */
    withTotal: z.boolean().optional(),
    /** The entity kinds this device knows; HQ leaves others out. Absent (an older device): ENTITY_KINDS_V1. */
    kinds: z.array(z.string().min(1).max(32)).max(64).optional(),
  })
  .strict();
export type PullRequest = z.infer<typeof pullRequestSchema>;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const entitySetSchema = z
  .object({
    kind: z.enum(ENTITY_KINDS),
    /** Rows in the kind's column order (entities.ts); checked row by row with rowProblem(). */
    rows: z.array(z.array(cell)),
    /** Key values of deleted entities, in the kind's key order. */
    deletes: z.array(z.array(cell)),
  })
  .strict();
export type EntitySet = z.infer<typeof entitySetSchema>;

export const pullPageSchema = z
  .object({
    scope: scopeSchema,
    /** Store this with the rows; send it back next time. */
    cursor: cursorSchema,
    /** More is waiting now: pull again at once. */
    more: z.boolean(),
    /** With `withTotal`: entities left in this scope from the request's cursor (this page included). */
    total: z.number().int().min(0).optional(),
    sets: z.array(entitySetSchema),
  })
  .strict();
export type PullPage = z.infer<typeof pullPageSchema>;

export const pullResponseSchema = z.object({ pages: z.array(pullPageSchema), serverTime: z.iso.datetime() }).strict();
export type PullResponse = z.infer<typeof pullResponseSchema>;

/** The scopes of a device: its brand, its store and itself. */
export function deviceScopes(identity: { brand: string; storeId: string; deviceId: string }): string[] {
  return [`brand:${identity.brand}`, `store:${identity.storeId}`, `device:${identity.deviceId}`];
}

/**
 * A pull answer's pages in brief — each page's scope, cursor and `more`, in the body's order — in
 * a header of their own, so a device can ask for its next pages once the answer's headers are in,
 * before it has read, checked and parsed a body of several megabytes. The header is not signed: the
 * device holds the request it sent on it until the signed body shows the same pages, and asks
 * again when it does not (sync/client/pull.ts). `encodeURIComponent` of a JSON array of
 * `[scope, cursor, more]`.
 */
export const PULL_PAGES_HEADER = 'x-sf-pull-pages';

export type PageHead = { scope: string; cursor: string; more: boolean };

const pageHeadsSchema = z
  .array(z.tuple([scopeSchema, cursorSchema, z.boolean()]))
  .min(1)
  .max(MAX_PULL_SCOPES);

/** Past this the header is left out (the device then asks once the body is read): far below HTTP's header limits (16 KB in Node). */
export const PAGE_HEADS_MAX_LENGTH = 4096;

/** The header's text, or null when it would be longer than PAGE_HEADS_MAX_LENGTH (cursors are HQ's keys, usually short). */
export function pageHeadsText(pages: readonly PageHead[]): string | null {
  const text = encodeURIComponent(JSON.stringify(pages.map((p) => [p.scope, p.cursor, p.more])));
  return text.length <= PAGE_HEADS_MAX_LENGTH ? text : null;
}

/** The pages a PULL_PAGES_HEADER names, or null when it is absent or not one (an older HQ, a proxy's mangling). */
export function parsePageHeads(text: string | null | undefined): PageHead[] | null {
  if (!text || text.length > PAGE_HEADS_MAX_LENGTH) return null;
  try {
    const parsed = pageHeadsSchema.safeParse(JSON.parse(decodeURIComponent(text)));
    return parsed.success ? parsed.data.map(([scope, cursor, more]) => ({ scope, cursor, more })) : null;
  } catch {
    return null;
  }
}
