/**
 * A JS array parameter as the PostgreSQL array literal node-postgres would send for it, made by
 * the engine's JSON.stringify instead of pg's per-element escaping: measured on 50,000 SKUs' ten
 * columns, 14 ms against pg's 69 ms. HQ's bulk statements pass each column as one array
 * (`unnest($1::text[], …)`): the sample brand's import sends about six million elements, the push
 * its events' and sales' columns.
 *
 * For a parameter PostgreSQL reads as an array (`$1::text[]`, an array column), which is what a JS
 * array is sent for: bound to a text parameter, the two literals would differ as text (`{1,null}`
 * here, `{"1",NULL}` from pg).
 *
 * Only where the two literals mean the same to PostgreSQL: a plain array (none of its own
 * `toJSON`, which JSON.stringify would call and pg would not) of elements that are strings, finite
 * numbers, booleans, null or undefined (both NULL, as pg sends them). A quote and a backslash are
 * escaped alike in JSON and in an array literal; any other escape JSON makes (a control character,
 * a lone surrogate) would mean something else there, so such an array — and one with dates,
 * buffers, objects, nested arrays, NaN or a bigint — returns null and goes through pg's own
 * encoding as before.
 */
/**
 * An escape other than `\\` or `\"`: a backslash after an even run of backslashes (one that starts
 * an escape), followed by anything but a quote or a backslash. JSON.stringify of an array starts
 * with `[`, so such a run always follows some other character.
 */
const OTHER_ESCAPE = /[^\\](?:\\\\)*\\[^"\\]/;

export function arrayLiteral(values: readonly unknown[]): string | null {
  if ('toJSON' in values) return null;
  for (const v of values) {
    if (typeof v === 'string' || typeof v === 'boolean' || v == null) continue;
    if (Number.isFinite(v)) continue;
    return null;
  }
  const json = JSON.stringify(values);
  if (OTHER_ESCAPE.test(json)) return null;
  return `{${json.slice(1, -1)}}`;
}

/** Query parameters with each array that `arrayLiteral` can take already made into its literal. */
export function encodeArrayParams(params: readonly unknown[] | undefined): unknown[] | undefined {
  if (!params) return undefined;
  let out: unknown[] | undefined;
  for (const [i, p] of params.entries()) {
    if (!Array.isArray(p)) continue;
    const literal = arrayLiteral(p);
    if (literal === null) continue;
    out ??= [...params];
    out[i] = literal;
  }
  return out ?? (params as unknown[]);
}

/**
 * A `text[]` parameter sent in PostgreSQL's binary array format (array_send's layout: one
 * dimension, element type text, each element its length and its UTF-8 bytes), for columns of long
 * strings: PostgreSQL copies each element as it is, where a text literal makes it scan every
 * character for quotes and backslashes, and node-postgres measures and encodes one long string. The
 * push's payloads (1.5 MB per 1,000 sales) go this way (record-batch.ts).
 *
 * For a parameter PostgreSQL reads as `text[]` only (`$1::text[]`): the element type travels in
 * the value, and any other type refuses it. node-postgres sends a Buffer from `toPostgres()` in
 * binary; PGlite takes the plain strings (`pgliteParam`).
 */
export class TextArray {
  constructor(readonly values: readonly (string | null)[]) {}

  toPostgres(): Buffer {
    // UTF-8 has no unpaired surrogate: Buffer.from would write U+FFFD and the text would change unseen.
    const odd = this.values.findIndex((v) => v !== null && UNPAIRED_SURROGATE.test(v));
    if (odd !== -1) throw new TypeError(`element ${odd} of a text[] parameter holds an unpaired surrogate, which UTF-8 cannot encode`);
    // Measured first, then written in place: no Buffer per element.
    const lengths = this.values.map((v) => (v === null ? -1 : Buffer.byteLength(v, 'utf8')));
    const out = Buffer.allocUnsafe(lengths.reduce((n, l) => n + 4 + Math.max(l, 0), HEADER_BYTES));
    out.writeInt32BE(1, 0); // dimensions
    out.writeInt32BE(lengths.includes(-1) ? 1 : 0, 4); // has nulls
    out.writeUInt32BE(TEXT_OID, 8);
    out.writeInt32BE(lengths.length, 12);
    out.writeInt32BE(1, 16); // lower bound
    let at = HEADER_BYTES;
    this.values.forEach((v, i) => {
      const length = lengths[i] as number;
      out.writeInt32BE(length, at);
      at += 4;
      if (v !== null) at += out.write(v, at, length, 'utf8');
    });
    return out;
  }
}

const TEXT_OID = 25;
const HEADER_BYTES = 20;

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether PostgreSQL's `text` holds `s` as it is: not with a NUL, which it refuses, nor with an
 * unpaired surrogate, which UTF-8 cannot encode (node-postgres would send U+FFFD instead).
 */
export function storableText(s: string): boolean {
  return !s.includes('\u0000') && !UNPAIRED_SURROGATE.test(s);
}

/** A parameter as PGlite takes it: a TextArray as its strings (PGlite encodes arrays itself). */
export function pgliteParam(param: unknown): unknown {
  return param instanceof TextArray ? param.values : param;
}
