import type { Prng } from '../../../../fixtures/prng.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/**
 * Values that cannot be written as plain JSON values: they are put in as marker strings and
 * spliced into the serialized text (or bytes) afterwards.
 */
const RAW_TOKENS = {
  nan: 'NaN',
  infinity: 'Infinity',
  minusInfinity: '-Infinity',
  overflow: '1e999',
  hex: '0x10',
  leadingZero: '007',
  deep: `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  deepObject: `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
} as const;
type RawToken = keyof typeof RAW_TOKENS;
const marker = (token: RawToken | 'badUtf8') => `\u0001${token}\u0001`;

/** Keys a careless server might treat specially (prototype pollution) or that strict schemas refuse. */
export const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', '', '\u0000', '💥'] as const;

/** One MiB of text: far beyond every string limit of the protocol. */
export const MEGABYTE_STRING = 'x'.repeat(1024 * 1024);

/** Values that are wrong almost everywhere: wrong types, numbers as strings, NaN-like, huge, NUL, bad UTF-8. */
export function nastyValue(prng: Prng): Json {
  const choices: (() => Json)[] = [
    () => null,
    () => true,
    () => false,
    () => 0,
    () => -1,
    () => -0.5,
    () => 1.5,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => -1e308,
    () => '',
    () => ' ',
    () => '1',
    () => '-1',
    () => 'NaN',
    () => 'Infinity',
    () => 'true',
    () => 'null',
    () => '2026-13-45T99:99:99Z',
    () => 'a\u0000b',
    () => '\u0000',
    () => '\ud800',
    () => 'x'.repeat(prng.int(65, 600)),
    () => MEGABYTE_STRING,
    () => [],
    () => [null],
    () => Array.from({ length: prng.int(1_000, 20_000) }, (_, i) => i),
    () => ({}),
    () => ({ $gt: '' }),
    () => marker(prng.pick(Object.keys(RAW_TOKENS) as RawToken[])),
    () => marker('badUtf8'),
  ];
  return prng.pick(choices)();
}

/** A value of another JSON type than `value` (so a schema expecting that type must refuse it). */
export function wrongType(prng: Prng, value: Json): Json {
  const kind = jsonKind(value);
  const all: Json[] = [null, true, 7, -3.5, 'text', '12', [], [1, 2], {}, { a: 1 }];
  const options = all.filter((v) => jsonKind(v) !== kind);
  return prng.pick(options);
}

function jsonKind(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every path into `value` (not the root), depth first. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i], ...pathsOf(item, [...prefix, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push([...prefix, key], ...pathsOf(item, [...prefix, key]));
  }
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function parentOf(root: Json, path: Path): { parent: Json; key: string | number } {
  let node = root;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step] as Json;
  return { parent: node, key: path[path.length - 1] as string | number };
}

/** Sets an own property, even `__proto__` (plain assignment would change the prototype instead). */
function setOwn(target: Json, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export type Mutation = { body: Buffer; what: string };

/**
 * One random structural mutation of a valid body: a member removed, a value replaced by a
 * nasty one or one of the wrong type, a number or boolean sent as a string, a value wrapped,
 * an extra key (`__proto__`, `constructor`, …) added, or the body swapped for another JSON type.
 */
export function mutate(prng: Prng, base: Json): Mutation {
  const root = clone(base);
  const paths = pathsOf(root);
  const op = prng.weighted(['delete', 'nasty', 'wrongType', 'asString', 'wrap', 'extra', 'root'], [3, 5, 4, 2, 1, 2, 1]);
  const path = paths.length > 0 ? prng.pick(paths) : [];
  const where = path.join('.');
  if (op === 'root' || paths.length === 0) {
    const replacement = prng.pick<Json>([null, [], [base], 'body', 42, true]);
    return { body: serialize(replacement), what: `root → ${JSON.stringify(replacement).slice(0, 20)}` };
  }
  const { parent, key } = parentOf(root, path);
  const current = (parent as Record<string | number, Json>)[key] as Json;
  switch (op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, Json>)[key];
      return { body: serialize(root), what: `delete ${where}` };
    case 'nasty': {
      const value = nastyValue(prng);
      setOwn(parent, key, value);
      return { body: serialize(root), what: `${where} → ${describe(value)}` };
    }
    case 'wrongType': {
      const value = wrongType(prng, current);
      setOwn(parent, key, value);
      return { body: serialize(root), what: `${where} → ${describe(value)}` };
    }
    case 'asString':
      setOwn(parent, key, typeof current === 'string' ? Number(current) || 0 : JSON.stringify(current));
      return { body: serialize(root), what: `${where} as the other of string/number` };
    case 'wrap':
      setOwn(parent, key, prng.chance(0.5) ? [current] : { value: current });
      return { body: serialize(root), what: `${where} wrapped` };
    case 'extra': {
      const objects = [[], ...paths].filter((p) => {
        const node =
          p.length === 0 ? root : (parentOf(root, p).parent as Record<string | number, Json>)[p[p.length - 1] as string | number];
        return node !== null && typeof node === 'object' && !Array.isArray(node);
      });
      const target = prng.pick(objects);
      const node =
        target.length === 0
          ? root
          : ((parentOf(root, target).parent as Record<string | number, Json>)[target[target.length - 1] as string | number] as Json);
      const extraKey = prng.pick(EXTRA_KEYS);
      setOwn(node, extraKey, prng.chance(0.5) ? { polluted: true } : nastyValue(prng));
      return { body: serialize(root), what: `extra key ${JSON.stringify(extraKey)} at ${target.join('.') || 'root'}` };
    }
  }
  return { body: serialize(root), what: 'unchanged' };
}

function describe(value: Json): string {
  if (typeof value === 'string') {
    if (value.length > 40) return `a string of ${value.length} chars`;
    const token = /^\u0001(\w+)\u0001$/.exec(value);
    if (token) return `raw ${token[1]}`;
  }
  if (Array.isArray(value) && value.length > 10) return `an array of ${value.length}`;
  return JSON.stringify(value);
}

/** JSON text with the markers replaced by their raw tokens; bad UTF-8 as real invalid bytes. */
export function serialize(value: Json): Buffer {
  let text = JSON.stringify(value);
  for (const [token, raw] of Object.entries(RAW_TOKENS)) text = text.split(JSON.stringify(marker(token as RawToken))).join(raw);
  const bad = JSON.stringify(marker('badUtf8'));
  const parts = text.split(bad);
  const invalid = Buffer.from([0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22]);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part, 'utf8')] : [invalid, Buffer.from(part, 'utf8')])));
}

/** The body as HQ's parser reads it (UTF-8 with replacement characters), or undefined when it is not JSON. */
export function parseAsHq(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Bodies that are not JSON at all, or JSON of the wrong shape as a whole: for any endpoint.
 * `valid` is a good body for the endpoint, to truncate.
 */
export function junkBodies(prng: Prng, valid: string): Mutation[] {
  const cut = prng.int(1, Math.max(1, valid.length - 1));
  return [
    { body: Buffer.from('{'), what: 'an open brace' },
    { body: Buffer.from(valid.slice(0, cut)), what: `truncated at ${cut}` },
    { body: Buffer.from(`${valid}}`), what: 'a brace too many' },
    { body: Buffer.from(`${valid.slice(0, -1)},}`), what: 'a trailing comma' },
    { body: Buffer.from(valid.replaceAll('"', "'")), what: 'single quotes' },
    { body: Buffer.from(`// comment\n${valid}`), what: 'a comment' },
    { body: Buffer.from(`\uFEFF${valid}`), what: 'a byte-order mark' },
    { body: Buffer.from('not json at all'), what: 'plain text' },
    { body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x00, 0x7d]), what: 'UTF-16 bytes' },
    { body: Buffer.from('{"a":NaN}'), what: 'NaN' },
    { body: Buffer.from('\u0000\u0000\u0000'), what: 'NUL bytes' },
    { body: Buffer.from('null'), what: 'null' },
    { body: Buffer.from('[]'), what: 'an empty array' },
    { body: Buffer.from('"a string"'), what: 'a string' },
    { body: Buffer.from('123'), what: 'a number' },
    { body: Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), what: 'arrays nested 50,000 deep' },
    { body: Buffer.from(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`), what: 'objects nested 20,000 deep' },
    { body: Buffer.from(`{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`), what: 'prototype keys' },
  ];
}
