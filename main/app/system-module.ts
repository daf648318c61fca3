import type { SyncState, SystemStatus } from '../api/contract.js';
import { open } from '../api/guards.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import type { SettingsService } from '../settings/settings-service.js';

export type SystemDeps = {
  ctx: TerminalContext;
  appVersion: string;
  catalog: CatalogService;
  settings: SettingsService;
  sync: () => SyncState;
};

/** What the terminal is, its store, catalog size, settings and sync state: the first thing every screen asks. */
export function systemStatus(deps: SystemDeps): () => SystemStatus {
  return () => {
    const { id, code, name, timezone } = deps.ctx.store();
    return {
      state: 'ready',
      appVersion: deps.appVersion,
      deviceId: deps.ctx.deviceId,
      store: { id, code, name, timezone },
      catalog: deps.catalog.size(),
      settings: deps.settings.get(),
      sync: deps.sync(),
    };
  };
}

/** Status needs no session: the splash, the login screen and the store-error screen all show it. */
export function systemModule(status: () => SystemStatus): DomainModule<'system'> {
  return { handlers: { status: open(() => status()) } };
}
