import type { TerminalContext } from '../core/context.js';

const EVERY_MS = 10 * 60_000;

/**
 * Keeps SQLite's table statistics current, so the book's searches use the right index (the last
 * four digits of a phone must go through their index, not walk 50,000 customers by name): at start,
 * when a download from HQ ends, and at most every ten minutes after a sync round. `PRAGMA optimize`
 * analyses only tables that changed enough, within `analysis_limit`: milliseconds when nothing did.
 */
export function keepStatistics(ctx: Pick<TerminalContext, 'db' | 'events' | 'clock' | 'log'>): void {
  let last = -Infinity;
  let provisioning = false;
  const run = () => {
    last = ctx.clock().getTime();
    try {
      ctx.db.pragma('analysis_limit = 2000');
      ctx.db.pragma('optimize = 0x10002');
    } catch (error) {
      ctx.log('customer book: refreshing the table statistics failed', (error as Error).message);
    }
  };
  run();
  ctx.events.subscribe((frame) => {
    if (frame.name !== 'sync.state') return;
    const phase = (frame.payload as { provisioning: { phase: string } | null }).provisioning?.phase;
    const justProvisioned = provisioning && phase !== 'running';
    provisioning = phase === 'running';
    if (justProvisioned || (!provisioning && ctx.clock().getTime() - last > EVERY_MS)) run();
  });
}
