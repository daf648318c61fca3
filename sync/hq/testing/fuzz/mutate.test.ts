import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../../fixtures/prng.js';
import { mutate, parseAsHq, serialize } from './mutate.js';
import type { Json } from './mutate.js';

const base: Json = { code: 'ABCD-EFGH-JKLM', nested: { list: [1, 2, 3], flag: true }, name: 'x' };

describe('fuzz mutations', () => {
  it('are the same for the same seed, and differ for another', () => {
    const run = (seed: string) => {
      const prng = createPrng(seed);
      return Array.from({ length: 50 }, () => mutate(prng, base).body.toString('base64'));
    };
    expect(run('s1')).toEqual(run('s1'));
    expect(run('s1')).not.toEqual(run('s2'));
  });

  it('never leave the body as it was', () => {
    const prng = createPrng('changed');
    const original = JSON.stringify(base);
    for (let i = 0; i < 300; i++) expect(mutate(prng, base).body.toString('utf8')).not.toBe(original);
  });

  it('splice raw tokens and invalid UTF-8 bytes into the text', () => {
    const nan = serialize({ a: '\u0001nan\u0001' });
    expect(nan.toString('utf8')).toBe('{"a":NaN}');
    expect(parseAsHq(nan)).toBeUndefined();
    const bad = serialize({ a: '\u0001badUtf8\u0001' });
    expect(bad.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    // HQ's parser reads it as replacement characters: still JSON, the schema has to refuse it.
    expect(parseAsHq(bad)).toEqual({ a: expect.stringContaining('\ufffd') as unknown });
  });

  it('can add a real __proto__ member (not a prototype change)', () => {
    const prng = createPrng('proto');
    const bodies = Array.from({ length: 400 }, () => mutate(prng, base).body.toString('utf8'));
    expect(bodies.some((b) => b.includes('"__proto__":'))).toBe(true);
    const parsed = parseAsHq(Buffer.from('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
