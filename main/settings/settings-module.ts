import type { DomainModule, TerminalContext } from '../app/context.js';
import type { SettingsService } from './settings-service.js';

export function settingsModule(ctx: TerminalContext, settings: SettingsService): DomainModule<'settings'> {
  return {
    handlers: {
      get: () => settings.get(),
      update: (patch) => {
        const next = settings.update(patch, null);
        ctx.events.emit('settings.changed', next);
        ctx.announceSync();
        return next;
      },
    },
  };
}
