import { describe, expect, it } from 'vitest';
import { judge, refused } from './fuzz-case.js';
import type { Step } from './fuzz-case.js';

const request = { method: 'POST', path: '/x', headers: {} };
const answer = (status: number, body: unknown) => ({ status, text: typeof body === 'string' ? body : JSON.stringify(body), headers: {} });

describe('fuzz judge', () => {
  const step: Step = { request, expect: refused('bad_request') };

  it('passes only a 4xx with an HQ error body of an expected code', () => {
    expect(judge(step, answer(400, { error: { code: 'bad_request', message: 'no' } }))).toBeNull();
    expect(judge(step, answer(200, { ok: true }))).toMatch(/expected a 4xx/);
    expect(judge(step, answer(500, { error: { code: 'internal', message: 'boom' } }))).toMatch(/expected a 4xx/);
    expect(judge(step, answer(400, 'Bad Request'))).toMatch(/not an HQ error body/);
    expect(judge(step, answer(400, { error: { code: 'bad_request', message: '' } }))).toMatch(/no message/);
    expect(judge(step, answer(401, { error: { code: 'unauthenticated', message: 'who?' } }))).toMatch(/expected bad_request/);
    expect(judge(step, answer(101, ''))).toMatch(/expected a 4xx/);
  });

  it('passes a push answer only when every event was rejected', () => {
    const rejected: Step = { request, expect: { kind: 'rejected', ids: ['e1'], reasons: ['foreign_store'] } };
    const results = (status: string, reason = 'foreign_store') => ({
      results: [{ id: 'e1', status, ...(status === 'rejected' ? { reason, message: 'not yours' } : {}) }],
      serverTime: '2026-11-23T00:00:00.000Z',
    });
    expect(judge(rejected, answer(200, results('rejected')))).toBeNull();
    expect(judge(rejected, answer(200, results('accepted')))).toMatch(/not rejected/);
    expect(judge(rejected, answer(200, results('duplicate')))).toMatch(/not rejected/);
    expect(judge(rejected, answer(200, results('rejected', 'conflict')))).toMatch(/expected foreign_store/);
    expect(judge(rejected, answer(403, { error: { code: 'forbidden', message: 'no' } }))).toMatch(/expected 200/);
  });
});
