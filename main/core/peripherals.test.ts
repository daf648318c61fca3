import { describe, expect, it } from 'vitest';
import { attempt } from './peripherals.js';

describe('attempt: a peripheral call reported to the cashier', () => {
  it('reports a call that claimed its irreversible step but did not finish in time as "may have acted", not as failed', async () => {
    const result = await attempt(async (deadline) => {
      expect(deadline.claim()).toBe(true);
      // The kick's bytes are on their way and the link never confirms them.
      await new Promise(() => undefined);
    }, 20);
    expect(result).toMatchObject({ sent: false, uncertain: true });
    expect(result.error).toContain('may have acted');
  });

  it('refuses the claim once the call was reported failed, and reports plain failure', async () => {
    let release: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (release = resolve));
    let claimed: boolean | undefined;
    const done = new Promise<void>((resolve) => {
      void attempt(async (deadline) => {
        await waiting;
        claimed = deadline.claim();
        resolve();
      }, 20).then((result) => {
        expect(result).toEqual({ sent: false, error: 'the device did not answer within 0.02 s' });
        release();
      });
    });
    await done;
    expect(claimed).toBe(false);
  });
});
