// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { StoreApi } from 'zustand/vanilla';
import type { Result } from '../../api/contract.js';
import type { SessionStoreState } from './session-store.js';
import type { ApprovalAction } from './session-types.js';
import { withApproval } from './with-approval.js';

type Answer = Result<string>;
const fail = (code: string): Answer => ({ ok: false, error: { code, message: code } }) as Answer;

/** Runs withApproval against scripted answers and a session that hands out `token`; records every step in order. */
async function run(answers: Answer[], token: string | undefined) {
  const steps: string[] = [];
  const tokens: (string | undefined)[] = [];
  const session = {
    getState: () => ({
      requestApproval: async (action: ApprovalAction) => {
        steps.push(`ask ${action}`);
        return token;
      },
    }),
  } as unknown as StoreApi<SessionStoreState>;
  const ok = await withApproval(
    session,
    'paid_out',
    async (t) => {
      tokens.push(t);
      const answer = answers.shift();
      if (!answer) throw new Error('called once too often');
      return answer;
    },
    {
      setBusy: (busy) => steps.push(busy ? 'busy' : 'idle'),
      cancelled: () => steps.push('cancelled'),
      apply: (result) => {
        steps.push(result.ok ? `apply ${result.value}` : `apply ${result.error.code}`);
        return result.ok;
      },
    },
  );
  return { ok, steps, tokens };
}

describe('withApproval', () => {
  it('applies an answer that needs no approval without asking a manager', async () => {
    expect(await run([{ ok: true, value: 'till' }], 'tok')).toEqual({ ok: true, steps: ['busy', 'apply till'], tokens: [undefined] });
  });

  it('passes any other refusal straight to the store', async () => {
    expect(await run([fail('FORBIDDEN')], 'tok')).toEqual({ ok: false, steps: ['busy', 'apply FORBIDDEN'], tokens: [undefined] });
  });

  it('asks for the approval once and retries with the manager’s token', async () => {
    expect(await run([fail('APPROVAL_REQUIRED'), { ok: true, value: 'till' }], 'tok-7')).toEqual({
      ok: true,
      steps: ['busy', 'idle', 'ask paid_out', 'busy', 'apply till'],
      tokens: [undefined, 'tok-7'],
    });
  });

  it('retries nothing and says so when the approval is cancelled', async () => {
    expect(await run([fail('APPROVAL_REQUIRED')], undefined)).toEqual({
      ok: false,
      steps: ['busy', 'idle', 'ask paid_out', 'cancelled'],
      tokens: [undefined],
    });
  });
});
