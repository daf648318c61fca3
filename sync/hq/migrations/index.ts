import type { HqMigration } from '../migrate.js';
import m0001 from './0001-create-hq.js';
import m0002 from './0002-move-customer-children.js';

/** Every HQ migration, in order. Add a new file and one line here; never edit a shipped one. */
export const HQ_MIGRATIONS: readonly HqMigration[] = [m0001, m0002];
