import { open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import type { SettingsService } from './settings-service.js';

/** Language, kiosk mode and wedge thresholds: changeable without a session today (the language switch is on the login screen). */
export function settingsModule(ctx: TerminalContext, settings: SettingsService): DomainModule<'settings'> {
  return {
    handlers: {
      get: open(() => settings.get()),
      update: open((patch) => {
        const next = settings.update(patch, null);
        ctx.events.emit('settings.changed', next);
        ctx.announceSync();
        return next;
      }),
    },
  };
}
