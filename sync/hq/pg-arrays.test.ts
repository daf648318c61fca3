import { afterAll, describe, expect, it } from 'vitest';
import { openHqDb } from './db.js';
import { arrayLiteral, encodeArrayParams, storableText, TextArray } from './pg-arrays.js';
import { testBackends } from './testing/backends.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const TEXTS = [
  'plain',
  'a "quoted" word',
  'back\\slash',
  '\\"',
  '{braces}',
  'a,b',
  ' spaced ',
  'NULL',
  '',
  '门店 S001',
  '🧥 size L',
  'line\u2028sep',
  null,
];

describe('arrayLiteral', () => {
  it('makes the literal PostgreSQL reads as the same array', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', 'b "c"', 'd\\e', null, undefined])).toBe('{"a","b \\"c\\"","d\\\\e",null,null}');
    expect(arrayLiteral([1, -0, 2.5, 1e21, true, false])).toBe('{1,0,2.5,1e+21,true,false}');
  });

  it('leaves to pg every array whose JSON would mean something else in an array literal', () => {
    for (const odd of [
      NaN,
      Infinity,
      -Infinity,
      10n,
      new Date(0),
      Buffer.from('x'),
      ['nested'],
      { an: 'object' },
      'tab\there',
      'new\nline',
      'nul\u0000',
      '\ud800 lone',
    ]) {
      expect(arrayLiteral(['fine', odd]), String(odd)).toBeNull();
    }
    // JSON.stringify would ask an array's own toJSON (and Symbols and functions are no values).
    expect(arrayLiteral(Object.assign(['a'], { toJSON: () => ['other'] }))).toBeNull();
    expect(arrayLiteral(['a', Symbol('s')])).toBeNull();
    expect(arrayLiteral(['a', () => 1])).toBeNull();
    // Holes are NULL, as pg sends them.
    const holed = [1, 2, 3];
    delete holed[1];
    expect(arrayLiteral(holed)).toBe('{1,null,3}');
    // A backslash before a letter is data, not an escape: fast path.
    expect(arrayLiteral(['a\\n', '\\\\t'])).toBe('{"a\\\\n","\\\\\\\\t"}');
  });

  it('replaces only the arrays it can take, and copies the list only then', () => {
    const date = [new Date(0)];
    const params = ['scalar', [1, 2], date, 3];
    expect(encodeArrayParams(params)).toEqual(['scalar', '{1,2}', date, 3]);
    expect(params[1]).toEqual([1, 2]);
    const untouched = ['x', date];
    expect(encodeArrayParams(untouched)).toBe(untouched);
    expect(encodeArrayParams(undefined)).toBeUndefined();
  });
});

describe('text PostgreSQL stores as it is', () => {
  it('is any string without a NUL or an unpaired surrogate', () => {
    for (const ok of ['', 'plain', '门店 🧥', '\\u0000 as text', '\ud83e\udde5']) expect(storableText(ok)).toBe(true);
    for (const bad of ['a\u0000b', 'x\ud800', '\udc00x', '\udc00\ud800', 'ok 🧥 \ud83e']) expect(storableText(bad)).toBe(false);
  });

  it('is what a TextArray takes: one with an unpaired surrogate is refused before anything is sent', () => {
    expect(() => new TextArray(['fine', null, 'x\udfff']).toPostgres()).toThrow(
      /element 2 of a text\[\] parameter holds an unpaired surrogate/,
    );
    expect(new TextArray(['🧥', null]).toPostgres().subarray(20).toString('hex')).toBe(
      `00000004${Buffer.from('🧥').toString('hex')}ffffffff`,
    );
  });
});

describe.each(backends)('array parameters on $name', (backend) => {
  it('arrive as the arrays HQ sent, on the fast path and on pg’s own', async () => {
    const db = await openHqDb({ databaseUrl: await backend.databaseUrl(), poolSize: 1 });
    try {
      const slow = ['tab\there', 'new\nline', 'a\\n', null];
      const [row] = await db.query<{ t: unknown; s: unknown; i: unknown; f: unknown; b: unknown; l: unknown }>(
        'SELECT $1::text[] AS t, $2::text[] AS s, $3::int[] AS i, $4::float8[] AS f, $5::bool[] AS b, $6::text AS l',
        [TEXTS, slow, [1, -0, -7, null, 2147483647], [2.5, 1e-7, 1e21, undefined], [true, false, null], arrayLiteral(TEXTS)],
      );
      expect(row?.t).toEqual(TEXTS);
      expect(row?.s).toEqual(slow);
      expect(row?.i).toEqual([1, 0, -7, null, 2147483647]);
      expect(row?.f).toEqual([2.5, 1e-7, 1e21, null]);
      expect(row?.b).toEqual([true, false, null]);
      // The literal itself, read back by PostgreSQL as text[]: the same strings.
      const [again] = await db.query<{ t: unknown }>('SELECT ($1::text)::text[] AS t', [row?.l]);
      expect(again?.t).toEqual(TEXTS);
    } finally {
      await db.close();
    }
  });

  it('take a TextArray as the same strings, in order, with its NULLs — long ones and control characters included', async () => {
    const db = await openHqDb({ databaseUrl: await backend.databaseUrl(), poolSize: 1 });
    try {
      const long = `{"lines":[${'{"sku":"SKU-1","名":"羊毛大衣 \\"修身\\""},'.repeat(5000)}{}]}`;
      const values = [...TEXTS, 'tab\there', 'new\nline', '\u0001', long, null];
      const [row] = await db.query<{ t: unknown; n: number; lens: number[] }>(
        `SELECT $1::text[] AS t, cardinality($1::text[]) AS n,
                (SELECT array_agg(octet_length(v) ORDER BY i) FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i)) AS lens`,
        [new TextArray(values)],
      );
      expect(row?.t).toEqual(values);
      expect(row?.n).toBe(values.length);
      expect(row?.lens).toEqual(values.map((v) => (v === null ? null : Buffer.byteLength(v))));
      const [none] = await db.query<{ t: unknown }>('SELECT $1::text[] AS t', [new TextArray([])]);
      expect(none?.t).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
