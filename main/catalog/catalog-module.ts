import type { DomainModule, TerminalContext } from '../app/context.js';
import { CatalogService } from './catalog-service.js';

export function catalogModule(ctx: TerminalContext, catalog = new CatalogService(ctx.db, () => ctx.storeId)): DomainModule<'catalog'> {
  return {
    handlers: {
      lookup: ({ query }) => catalog.lookup(query),
      style: ({ styleCode }) => catalog.style(styleCode),
    },
  };
}
