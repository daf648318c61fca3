import { open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import type { TerminalSync } from './terminal-sync.js';

/** The renderer's API of sync: state, "sync now" and the dead-letter list — open, like the pill that shows it. */
export function syncModule(ctx: TerminalContext, sync: TerminalSync): DomainModule<'sync'> {
  return {
    handlers: {
      state: open(() => sync.state()),
      syncNow: open(() => sync.syncNow()),
      deadLetters: open(({ limit }) => ({ items: sync.deadLetters(limit) })),
    },
    // The terminal closes synchronously: the replicator stops its timers at once and abandons
    // in-flight work, which is safe because every push and pull page is idempotent.
    close: () => sync.close().catch((error: unknown) => ctx.log('sync did not close cleanly', error)),
  };
}
