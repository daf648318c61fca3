import { byInput, open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import type { SettingsService } from './settings-service.js';

/**
 * The UI language anyone may switch (it is on the login screen); kiosk mode and the scanner
 * thresholds are the terminal's setup and need a manager — leaving kiosk mode opens the desktop.
 */
export function settingsModule(ctx: TerminalContext, settings: SettingsService): DomainModule<'settings'> {
  return {
    handlers: {
      get: open(() => settings.get()),
      update: byInput(
        (patch) => (patch.kiosk !== undefined || patch.wedge !== undefined ? { kind: 'role', capability: 'manage' } : { kind: 'open' }),
        (patch, { staff }) => {
          const next = settings.update(patch, staff?.id ?? null);
          ctx.events.emit('settings.changed', next);
          ctx.announceSync();
          return next;
        },
      ),
    },
  };
}
