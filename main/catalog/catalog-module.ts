import { open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { CatalogService } from './catalog-service.js';

/** Product lookup: open to anyone at the device (a customer's question needs no login). */
export function catalogModule(ctx: TerminalContext, catalog = new CatalogService(ctx.db, () => ctx.storeId)): DomainModule<'catalog'> {
  return {
    handlers: {
      lookup: open(({ query }) => catalog.lookup(query)),
      style: open(({ styleCode }) => catalog.style(styleCode)),
    },
  };
}
