import type { DomainModule, TerminalContext } from '../app/context.js';
import type { TerminalSync } from './terminal-sync.js';

/** The renderer's API of sync: state, "sync now" and the dead-letter list. */
export function syncModule(ctx: TerminalContext, sync: TerminalSync): DomainModule<'sync'> {
  return {
    handlers: {
      state: () => sync.state(),
      syncNow: () => sync.syncNow(),
      deadLetters: ({ limit }) => ({ items: sync.deadLetters(limit) }),
    },
    // The terminal closes synchronously: the replicator stops its timers at once and abandons
    // in-flight work, which is safe because every push and pull page is idempotent.
    close: () => sync.close().catch((error: unknown) => ctx.log('sync did not close cleanly', error)),
  };
}
